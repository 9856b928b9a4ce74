import { commandTask } from './command-task.js';
import { contentTask } from './content-tasks.js';
import { downloadTask } from './download-task.js';
import { directoryTask, fileTask, linkTask } from './file-tasks.js';
import { groupTask, userTask } from './account-tasks.js';
import { packageTask } from './package-task.js';
import type { Planner } from './planner.js';
import { systemdTask } from './systemd-task.js';
import { unarchiveTask } from './unarchive-task.js';

/** The planning half of every task type declared in task-types.ts. */
export const PLANNERS: Record<string, Planner> = {
  file: fileTask,
  directory: directoryTask,
  link: linkTask,
  template: contentTask,
  copy: contentTask,
  download: downloadTask,
  unarchive: unarchiveTask,
  package: packageTask,
  systemd: systemdTask,
  user: userTask,
  group: groupTask,
  command: commandTask,
};
