import { ProtocolError, decodeScheduleCommand, type ScheduleCommand } from '@celeriac/protocol';
import { InvalidArgumentError } from '@celeriac/core';

/**
 * A schedule command off the control queue, its shape checked by protocol's decoder. A
 * malformed one is refused as an InvalidArgumentError, the error a client maps back to its own
 * InvalidArgumentError (its name travels in the FAILURE answer), as for invalid schedule input.
 */
export function parseCommand(body: Buffer): ScheduleCommand {
  try {
    return decodeScheduleCommand(body);
  } catch (error) {
    if (error instanceof ProtocolError) throw new InvalidArgumentError(error.message);
    throw error;
  }
}
