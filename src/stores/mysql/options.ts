import { choice, valueOption } from '../../options/spec.js';
import { ISOLATION_LEVELS } from '../types.js';

/** MySQL's own options of `dscheck run`. */
export const MYSQL_OPTIONS = {
  isolation: valueOption(
    {
      name: 'isolation',
      value: 'level',
      help: `the isolation level of every list-append transaction: ${ISOLATION_LEVELS.join(', ')} (default: the preset's, else the server's)`,
    },
    choice(ISOLATION_LEVELS),
  ),
};
