import { splitBrokerUrls, type BrokerUrls } from '@celeriac/core';

/**
 * The order in which the nodes of a cluster are tried. Every attempt takes the next URL, so the
 * first connection goes to the first node that answers and, after a loss, the reconnect goes to
 * the node after the one that was lost (kombu's round-robin failover), wrapping around the list.
 */
export class BrokerRotation {
  readonly urls: readonly string[];
  #next = 0;

  constructor(urls: BrokerUrls) {
    this.urls = splitBrokerUrls(urls);
    if (this.urls.length === 0) throw new RangeError('a broker rotation needs at least one URL');
  }

  /** The URL for this attempt; the following attempt gets the one after it. */
  take(): string {
    const url = this.urls[this.#next % this.urls.length] as string;
    this.#next = (this.#next + 1) % this.urls.length;
    return url;
  }
}
