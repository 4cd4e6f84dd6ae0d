import YikatongPropertiesProvider from './YikatongPropertiesProvider';

export default {
  __init__: ['yikatongPropertiesProvider'],
  yikatongPropertiesProvider: ['type', YikatongPropertiesProvider],
};
