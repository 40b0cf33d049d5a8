import { parentPort, workerData } from 'node:worker_threads';
import { type CheckSettings, checkFile } from './check.js';

// The second thread of `dscheck check`: takes files from the shared counter until none are left.
const { files, settings, counter } = workerData as {
  files: string[];
  settings: CheckSettings;
  counter: Int32Array;
};
try {
  for (let i = Atomics.add(counter, 0, 1); i < files.length; i = Atomics.add(counter, 0, 1)) {
    parentPort?.postMessage({ index: i, verdict: await checkFile(files[i], settings) });
  }
} catch (err) {
  parentPort?.postMessage({ crash: err instanceof Error ? (err.stack ?? err.message) : String(err) });
}
