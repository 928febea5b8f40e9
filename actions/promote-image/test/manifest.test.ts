import { describe, expect, it } from '@jest/globals';

import { isSchema1, manifestDigest, manifestMediaType } from '../src/manifest.ts';

describe('manifest helpers', () => {
  it('hashes the exact bytes', () => {
    // sha256 of the empty JSON object "{}".
    expect(manifestDigest('{}')).toBe('sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
    expect(manifestDigest('{ }')).not.toBe(manifestDigest('{}'));
  });

  it.each([
    ['{"schemaVersion":2,"manifests":[]}', undefined, 'application/vnd.oci.image.index.v1+json'],
    ['{"schemaVersion":2,"config":{},"layers":[]}', undefined, 'application/vnd.oci.image.manifest.v1+json'],
    ['{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json"}', undefined, 'application/vnd.docker.distribution.manifest.v2+json'],
    ['{"schemaVersion":2,"manifests":[]}', 'application/vnd.docker.distribution.manifest.list.v2+json', 'application/vnd.docker.distribution.manifest.list.v2+json'],
    ['not json', undefined, undefined],
  ])('finds the media type of %s', (manifest, reported, expected) => {
    expect(manifestMediaType(manifest, reported)).toBe(expected);
  });

  it('detects schema 1', () => {
    expect(isSchema1('{"schemaVersion":1}', undefined)).toBe(true);
    expect(isSchema1('{}', 'application/vnd.docker.distribution.manifest.v1+prettyjws')).toBe(true);
    expect(isSchema1('{"schemaVersion":2}', 'application/vnd.oci.image.manifest.v1+json')).toBe(false);
  });
});
