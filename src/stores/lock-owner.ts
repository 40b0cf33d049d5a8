import { randomBytes } from 'node:crypto';

/**
 * A name unique to one lock client, so grants of different clients never compare equal: a worker
 * that replaced its client after a timeout must not release a grant its old client still holds.
 */
export const newOwner = (index: number): string => `p${index}-${randomBytes(6).toString('hex')}`;
