import { markdownTable } from '@ecs-deploy-kit/shared';

import type { Result } from './run.ts';

/** Formats a byte count with binary units, e.g. 1.00 GiB. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(2)} ${units[unit]}`;
}

/** Renders the job summary: the promoted image, what was copied and one row per tag. */
export function renderSummary(result: Result): string {
  const rows = result.tags.map((item) => [item.tag, item.result, item.previousDigest ?? '-']);
  const copied = result.copied
    ? `Copied into the target: ${result.manifestsCopied} manifest(s), ${result.blobsCopied} blob(s), ${formatBytes(result.bytesCopied)}.`
    : 'Same repository: tags only, no image data copied.';
  return [
    '### Image promoted',
    '',
    `Image: \`${result.imageUri}\``,
    '',
    `Media type: \`${result.mediaType}\``,
    '',
    copied,
    '',
    markdownTable(['Tag', 'Result', 'Previous digest'], rows),
    '',
  ].join('\n');
}

export function renderOutputs(result: Result): Record<string, string> {
  return {
    digest: result.digest,
    'image-uri': result.imageUri,
    'media-type': result.mediaType,
    tags: JSON.stringify(result.tags),
    'blobs-copied': String(result.blobsCopied),
    'bytes-copied': String(result.bytesCopied),
  };
}
