// The moddle extensions every diagram widget reads and writes: SpiffWorkflow's, for our elements.
import spiffworkflow from './spiffworkflow.json';

export const moddleExtensions = { spiffworkflow };
