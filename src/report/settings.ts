import { text } from './json-fields.js';

/**
 * The store settings of a run that change what its clients can see, in a few words each, from
 * test.json's `options` and `store`: for the run page's description and the comparison page.
 */
export function runSettings(
  options: Readonly<Record<string, unknown>>,
  store: Readonly<Record<string, unknown>>,
): string[] {
  const readFrom = text(store.readFrom);
  const isolation = text(options.isolation);
  const serverOptions = Array.isArray(options.serverOptions) ? options.serverOptions.map(String) : [];
  return [
    readFrom && readFrom !== 'primary' && readFrom !== 'any' ? `reads from ${readFrom}` : '',
    store.lwt === true ? 'lightweight transactions' : '',
    typeof options.waitReplicas === 'number' ? `WAIT ${options.waitReplicas}` : '',
    isolation ? `isolation ${isolation}` : '',
    serverOptions.length > 0 ? `server: ${serverOptions.join(', ')}` : '',
  ].filter((s) => s !== '');
}
