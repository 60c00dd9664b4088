// Every command the extension contributes, once. No `vscode` import: a plain-Node test checks this
// list against package.json (`contributes.commands`) and the registrations against it.
import { TASK_ACTION_IDS, type TaskActionId } from '../../core/provider/descriptor';

export const COMMAND_IDS = [
  'aiVideo.generate',
  'aiVideo.setApiKey',
  'aiVideo.testConnection',
  'aiVideo.refresh',
  'aiVideo.play',
  'aiVideo.animateImage',
  'aiVideo.restyleVideo',
  'aiVideo.regenerate',
  'aiVideo.checkAgain',
  'aiVideo.retryDownload',
  'aiVideo.saveToWorkspace',
  'aiVideo.copyPrompt',
  'aiVideo.removeTask',
  'aiVideo.clearFinished',
  'aiVideo.openVideosFolder',
  'aiVideo.showTaskError',
  'aiVideo.showLog',
  'aiVideo.cancelWaiting',
  'aiVideo.editWaiting',
  'aiVideo.findLostJob',
  'aiVideo.markFailed',
  'aiVideo.checkAccount',
  'aiVideo.openGallery',
  'aiVideo.compare',
  'aiVideo.generateVariants',
  'aiVideo.filterTasks',
  'aiVideo.clearTaskFilter',
  'aiVideo.generateFromBlock',
  'aiVideo.generateBlockVariants',
  'aiVideo.newPromptFile',
  'aiVideo.revealPromptSource',
  'aiVideo.generateFromSelection',
  'aiVideo.chooseBlockModel',
  'aiVideo.cancelTask',
  'aiVideo.extractFrame',
  'aiVideo.continueFromLastFrame',
  'aiVideo.animateBetween',
  'aiVideo.renderStoryboard',
  'aiVideo.useThisTake',
  'aiVideo.playFilm',
  'aiVideo.quote',
  'aiVideo.getSpending',
  'aiVideo.showSpending',
  ...TASK_ACTION_IDS.map((id) => `aiVideo.${id}` as const),
] as const;

export type CommandId = (typeof COMMAND_IDS)[number];

/** The command that runs a provider's task action. */
export function taskActionCommand(id: TaskActionId): `aiVideo.${TaskActionId}` {
  return `aiVideo.${id}`;
}
