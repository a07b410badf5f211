// Metric families → the text a scraper reads, written by prom-client (its escaping of label values,
// its OpenMetrics output). One registry per scrape, one collector per family reading this scrape's
// families: nothing is kept between scrapes, so a container that is gone leaves no series behind.
import { Registry, type Metric, type RegistryContentType } from 'prom-client';
import type { Snapshot } from '../cluster/types.js';
import { metricFamilies, type Family } from './families.js';

export const PROMETHEUS = Registry.PROMETHEUS_CONTENT_TYPE;
export const OPENMETRICS = Registry.OPENMETRICS_CONTENT_TYPE;

// prom-client's constructor takes the content type (its README's way to OpenMetrics); its type
// declarations leave that parameter out.
const RegistryOf = Registry as unknown as new (contentType: RegistryContentType) => Registry<RegistryContentType>;

/** What prom-client asks of a collector: its name and, when scraped, its samples. */
function collector(f: Family, openMetrics: boolean): Metric {
  // OpenMetrics names a counter's family without the _total its samples carry (prom-client adds it).
  const name = openMetrics && f.type === 'counter' ? f.name.replace(/_total$/, '') : f.name;
  const item = { name, help: f.help, type: f.type, values: f.values, aggregator: 'sum' as const };
  // prom-client's Metric type is its own classes' (Counter, Gauge…); a registry takes any object with
  // get() (its documented way to expose values computed elsewhere), hence the cast.
  return {
    name,
    help: f.help,
    type: f.type,
    get: () => Promise.resolve(item),
    reset: () => undefined,
  } as unknown as Metric;
}

/** The exposition of a snapshot: Prometheus text, or OpenMetrics (ending in `# EOF`). */
export function exposition(s: Snapshot, openMetrics = false): Promise<string> {
  const registry = new RegistryOf(openMetrics ? OPENMETRICS : PROMETHEUS);
  for (const f of metricFamilies(s)) registry.registerMetric(collector(f, openMetrics));
  return registry.metrics();
}
