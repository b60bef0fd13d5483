// A render function for worker-thread tests (plain JS: workers under jest have no TypeScript hook).
'use strict';
exports.render = items => items.map(item => {
  if (item === 'boom') throw new Error(`cannot render ${item}`);
  return { path: `${item}.txt`, content: `${item} rendered on thread ${require('worker_threads').threadId === 0 ? 'main' : 'worker'}\n` };
});
