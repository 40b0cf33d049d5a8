/** The only place that talks to Docker: what stores, nemeses and commands may use. */
export { type ArchiveFile, tarOf } from './archive.js';
export { type CleanReport, cleanDeadRuns, type Leftover, ownerAlive, runResources } from './cleanup.js';
export {
  connectDocker,
  DockerUnavailableError,
  dockerClient,
  engineAddress,
  unreachableAdvice,
} from './client.js';
export {
  type ClusterMember,
  type ClusterSpec,
  type DockerCluster,
  IDLE_CMD,
  startCluster,
} from './cluster.js';
export {
  type NodeSpec,
  pauseContainer,
  readFileIn,
  removeContainer,
  startNode,
  startThrowaway,
  type ThrowawayContainer,
  unpauseContainer,
  writeFilesIn,
} from './containers.js';
export {
  ExecFailedError,
  type ExecOptions,
  type ExecResult,
  ExecTimeoutError,
  execIn,
  execOk,
} from './exec.js';
export {
  baseImageTag,
  debianMirror,
  ensureBaseImage,
  ensureImage,
  type ImageInfo,
  type ImageRecipe,
  imageExists,
  imageTag,
  listImages,
  type Progress,
  recipeHash,
} from './images.js';
export { currentOwner, LABEL, type Labels, runLabels } from './labels.js';
export { debug, traced } from './log.js';
export { createRunNetwork, type RunNetwork, removeNetwork, SUBNET_POOL, usedSubnets } from './networks.js';
