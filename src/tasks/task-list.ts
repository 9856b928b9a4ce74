import { commandTask } from './command.js';
import { copyTask } from './copy.js';
import { directoryTask } from './directory.js';
import { dockerSaveTask } from './docker-save.js';
import { downloadTask } from './download.js';
import { envFlagsTask } from './env-flags.js';
import { fileTask } from './file.js';
import { groupTask } from './group.js';
import { imageImportTask } from './image-import.js';
import { linkTask } from './link.js';
import { nodeCopyTask } from './node-copy.js';
import { packageTask } from './package.js';
import { systemdTask } from './systemd.js';
import type { TaskType } from './task-type.js';
import { templateTask } from './template.js';
import { unarchiveTask } from './unarchive.js';
import { userTask } from './user.js';
import { yamlSetTask } from './yaml-set.js';

/** Every task type a role may use: a new type is its own file plus one line here. */
const LIST: TaskType[] = [
  fileTask,
  directoryTask,
  linkTask,
  templateTask,
  copyTask,
  downloadTask,
  unarchiveTask,
  packageTask,
  systemdTask,
  userTask,
  groupTask,
  commandTask,
  envFlagsTask,
  yamlSetTask,
  nodeCopyTask,
  dockerSaveTask,
  imageImportTask,
];

export const TASK_TYPES: Readonly<Record<string, TaskType>> = Object.fromEntries(LIST.map((t) => [t.name, t]));
