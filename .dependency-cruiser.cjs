/**
 * The import rules of src/ (run by `npm test`): no cycles, and no import against the layer order
 * the README gives (Contributing). A layer may import its own level and those below it, never one
 * above: core -> inventory -> transport/config/cri -> facts -> domain -> tasks/template -> checks
 * -> roles -> plan -> apply -> rollout -> cli.
 */
const LAYERS = [['core'], ['inventory'], ['transport', 'config', 'cri'], ['facts'], ['domain'], ['tasks', 'template'], ['checks'], ['roles'], ['plan'], ['apply'], ['rollout'], ['cli']];

const folders = (list) => `^src/(${list.join('|')})/`;

const upward = LAYERS.slice(0, -1).map((level, i) => ({
  name: `no-upward-from-${level.join('-')}`,
  comment: `${level.join('/')} sits below ${LAYERS.slice(i + 1).flat().join(', ')}: it may not import them (README: Contributing, the layer order)`,
  severity: 'error',
  from: { path: folders(level) },
  to: { path: folders(LAYERS.slice(i + 1).flat()) },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle makes two modules one: each can only be read, tested and changed with the other.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-unknown-folder',
      comment: 'Every folder of src/ has its place in the layer order (add it to LAYERS and to the README).',
      severity: 'error',
      from: { path: '^src/', pathNot: folders(LAYERS.flat()) },
      to: {},
    },
    ...upward,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|test)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
