import type { Options } from 'yargs';

/**
 * `--group` / `--beat-group` / CELERIAC_BEAT_GROUP, shared by `beat` and `schedule`: a beat and
 * the commands sent to it must name the same group, so both take the option in the same words.
 */
export const BEAT_GROUP_OPTION: Options = {
  alias: 'group',
  type: 'string',
  requiresArg: true,
  describe:
    'Beat group: beats of one group share a leader lock and a control queue; give each application on a vhost its own',
  defaultDescription: 'none (celeriac.beat.leader, celeriac.beat.control)',
};
