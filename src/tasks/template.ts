import { contentArgs, contentFacts, planContentWrite } from './content-write.js';
import { defineTaskType } from './task-type.js';

export const templateTask = defineTaskType({
  name: 'template',
  doc: 'a file rendered from templates/<src> with the host variables',
  args: { src: { type: 'string', required: true, doc: 'template under templates/' }, ...contentArgs },
  content: (args, renderFile) => renderFile(String(args.src)),
  facts: contentFacts,
  plan: planContentWrite,
});
