import { contentArgs, contentFacts, planContentWrite } from './content-write.js';
import { defineTaskType } from './task-type.js';

export const copyTask = defineTaskType({
  name: 'copy',
  doc: 'a file with the given content',
  args: { content: { type: 'string', required: true, doc: 'the file content' }, ...contentArgs },
  content: (args) => String(args.content),
  facts: contentFacts,
  plan: planContentWrite,
});
