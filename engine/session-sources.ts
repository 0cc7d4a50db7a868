// The data of an init request as the data layer wants it: text the host sent, plus text fetched from URLs.
import type { DataSources } from './data';
import type { DataSourcesMessage } from './protocol';

export async function resolveSources(s: DataSourcesMessage | undefined): Promise<DataSources> {
  if (!s) return {};
  const out: DataSources = {};
  const docs = [...(s.documents ?? [])];
  for (const d of s.documentUrls ?? []) docs.push({ name: d.name, text: await fetchText(d.url) });
  if (docs.length) out.documents = docs;
  out.bpeMerges = s.bpeMerges ?? (s.bpeMergesUrl ? await fetchText(s.bpeMergesUrl) : undefined);
  return out;
}

async function fetchText(url: string): Promise<string> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not fetch data from ${url}: HTTP ${res.status}`);
  return res.text();
}
