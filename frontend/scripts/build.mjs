// Bundles the diagram widgets with esbuild into web/static/dist/ (git-ignored; Flask serves it).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

await build({
  absWorkingDir: root,
  entryPoints: {
    viewer: 'src/viewer.js',
    modeler: 'src/modeler.js',
    'import-check': 'src/import-check.js',
    'viewer-style': 'src/viewer.css',
    'modeler-style': 'src/modeler.css',
  },
  outdir: '../web/static/dist',
  bundle: true,
  format: 'iife',
  target: ['chrome110', 'firefox110', 'safari16'],
  minify: true,
  legalComments: 'linked',
  loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file', '.svg': 'file' },
  assetNames: 'assets/[name]-[hash]',
  logLevel: 'warning',
});
