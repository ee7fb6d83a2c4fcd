// nginx builds one hash table per `map` from its exact string keys, sized by two http-level
// directives: map_hash_bucket_size (default: the CPU cache line, 64 bytes on x86-64 and arm64) and
// map_hash_max_size (default 2048). When no table of at most max_size buckets fits every key,
// `nginx -t` warns "could not build optimal map_hash"; when one key alone is larger than a bucket it
// fails ("you should increase map_hash_bucket_size"). Both directives may appear only once in http {},
// and only before the first `map` (the first map fixes them).
//
// This module replays nginx's own table search (src/core/ngx_hash.c, ngx_hash_init, 1.22) for
// 64-bit builds on the keys cors-gen emits, so http.conf sets the directives only when the defaults
// would not do, and then to the smallest values that do.

/** One map's exact (hashed) keys, as nginx stores them. */
export type ExactKeys = readonly string[];

export interface MapHashSettings {
  bucketSize: number;
  maxSize: number;
}

export const NGINX_MAP_HASH_DEFAULTS: MapHashSettings = { bucketSize: 64, maxSize: 2048 };

const POINTER = 8; // sizeof(void *) on 64-bit builds
const BUCKET_SIZES = [64, 128, 256, 512, 1024, 2048, 4096];
// At most 10000: above that nginx starts its search at max_size - 1000, which could skip the sizes
// other maps of the user's configuration fit in. Up to 10000 a larger value only widens the search.
const MAX_SIZES = [2048, 4096, 8192, 10000];

const align = (n: number, to: number) => Math.ceil(n / to) * to;

/** NGX_HASH_ELT_SIZE: value pointer, u_short length, the name, aligned to a pointer. */
export function elementSize(key: string): number {
  return POINTER + align(Buffer.byteLength(key, 'latin1') + 2, POINTER);
}

/** ngx_hash_key_lc on a 64-bit ngx_uint_t: key = key * 31 + tolower(byte), as [high, low] 32-bit words. */
export function hashKey(key: string): [number, number] {
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < key.length; i++) {
    const byte = key.charCodeAt(i) & 0xff;
    const c = byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte;
    const low = lo * 31 + c; // < 2^37: exact in a double
    const carry = Math.floor(low / 4294967296);
    lo = low % 4294967296;
    hi = (Math.imul(hi, 31) + carry) >>> 0;
  }
  return [hi, lo];
}

interface PreparedKeys {
  hi: Float64Array;
  lo: Float64Array;
  size: Uint16Array;
  totalSize: number;
  largest: number;
}

function prepare(keys: ExactKeys): PreparedKeys {
  const p: PreparedKeys = {
    hi: new Float64Array(keys.length),
    lo: new Float64Array(keys.length),
    size: new Uint16Array(keys.length),
    totalSize: 0,
    largest: 0,
  };
  keys.forEach((k, i) => {
    [p.hi[i], p.lo[i]] = hashKey(k);
    p.size[i] = elementSize(k);
    p.totalSize += p.size[i]!;
    p.largest = Math.max(p.largest, p.size[i]!);
  });
  return p;
}

/** Whether ngx_hash_init finds a table without the "could not build optimal" warning (and without error). */
function buildsOptimally(keys: PreparedKeys, settings: MapHashSettings): boolean {
  const { bucketSize, maxSize } = settings;
  const n = keys.size.length;
  if (n === 0) return true;
  if (bucketSize < keys.largest + POINTER) return false;
  const room = bucketSize - POINTER;
  let start = Math.floor(n / Math.floor(room / (2 * POINTER))) || 1;
  if (maxSize > 10000 && Math.floor(maxSize / n) < 100) start = maxSize - 1000;
  // Shortcut, same result: a table whose buckets cannot hold all keys together never fits.
  const first = Math.max(start, Math.ceil(keys.totalSize / room));
  const test = new Uint32Array(maxSize + 1);
  sizes: for (let size = first; size <= maxSize; size++) {
    test.fill(0, 0, size);
    const high = 4294967296 % size;
    for (let k = 0; k < n; k++) {
      const i = (((keys.hi[k]! % size) * high + (keys.lo[k]! % size)) % size);
      test[i]! += keys.size[k]!;
      if (test[i]! > room) continue sizes;
    }
    return true;
  }
  return false;
}

/** Whether every map builds its table under these settings exactly as nginx 1.22 would. */
export function allBuildOptimally(maps: readonly ExactKeys[], settings: MapHashSettings): boolean {
  return maps.every((keys) => buildsOptimally(prepare(keys), settings));
}

/**
 * The smallest settings (bucket size first: fewer keys to compare per lookup) under which every
 * map builds an optimal table; the defaults when they do. If nothing up to 4096/10000 does, the
 * largest candidate: nginx then warns but still works.
 */
export function chooseMapHashSettings(maps: readonly ExactKeys[]): MapHashSettings {
  const prepared = maps.filter((m) => m.length > 0).map(prepare);
  for (const bucketSize of BUCKET_SIZES) {
    for (const maxSize of MAX_SIZES) {
      const settings = { bucketSize, maxSize };
      if (prepared.every((keys) => buildsOptimally(keys, settings))) return settings;
    }
  }
  return { bucketSize: BUCKET_SIZES[BUCKET_SIZES.length - 1]!, maxSize: MAX_SIZES[MAX_SIZES.length - 1]! };
}
