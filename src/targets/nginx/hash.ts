// nginx builds one hash table per `map` from its exact string keys, sized by two http-level
// directives: map_hash_bucket_size (default: the CPU cache line, 64 bytes on x86-64 and arm64) and
// map_hash_max_size (default 2048). When no table of at most max_size buckets fits every key,
// `nginx -t` warns "could not build optimal map_hash"; when one key alone is larger than a bucket it
// fails ("you should increase map_hash_bucket_size"). Both directives may appear only once in http {},
// and only before the first `map` (the first map fixes them).
//
// This module replays nginx's own table search (src/core/ngx_hash.c, ngx_hash_init, 1.22) for
// 64-bit builds on the keys cors-gen emits, so http.conf sets the directives only when the defaults
// would not do: for the defaults it replays the whole search (cheap there: with many keys it starts
// above 2048 and ends at once, and few keys are quick to place).
// Otherwise it does not look for the smallest settings: proving that no table size fits a smaller
// candidate takes a pass over the keys per size (10,003 origins: 1.4 s of a 2.4 s run). nginx
// tries every size from its start up to max_size and keeps the first that fits, so one fitting size
// in that range is enough. Each candidate, bucket size first (fewer keys compared per lookup), then
// max size, both ascending, is tried at its last PROBES sizes only, and the first under which every
// map fits one of them is chosen: exact (nginx reaches that size unless a smaller one fits first),
// a few passes per candidate, and small settings, though a candidate that fits only at sizes below
// its last few is passed over. nginx builds the same table whatever max_size it is given above the
// size it ends at.

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

// Table sizes tried per candidate, from its max size down: keys such as tenant-1 … tenant-9900 are
// far from random, and some sizes spread them evenly where their neighbours do not.
const PROBES = 8;

const align = (n: number, to: number) => Math.ceil(n / to) * to;

/** NGX_HASH_ELT_SIZE: value pointer, u_short length, the name, aligned to a pointer. */
export function elementSize(key: string): number {
  return POINTER + align(key.length + 2, POINTER); // the keys are ASCII: a byte a character
}

/** ngx_hash_key_lc on a 64-bit ngx_uint_t: key = key * 31 + tolower(byte), as [high, low] 32-bit words. */
export function hashKey(key: string): [number, number] {
  const hi = new Uint32Array(1);
  const lo = new Uint32Array(1);
  hashInto(key, hi, lo, 0);
  return [hi[0]!, lo[0]!];
}

/** hashKey's words written at `at` of `hi` and `lo`, without a remainder of doubles (a call into C each). */
function hashInto(key: string, hi: Float64Array | Uint32Array, lo: Float64Array | Uint32Array, at: number): void {
  let h = 0;
  let l = 0;
  for (let i = 0; i < key.length; i++) {
    const byte = key.charCodeAt(i) & 0xff;
    const c = byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte;
    const carry = ((l * 31 + c) / 4294967296) | 0; // l * 31 + c < 2^37: exact in a double
    l = (Math.imul(l, 31) + c) >>> 0;
    h = (Math.imul(h, 31) + carry) >>> 0;
  }
  hi[at] = h;
  lo[at] = l;
}

interface PreparedKeys {
  hi: Float64Array;
  lo: Float64Array;
  size: Uint16Array;
  totalSize: number;
  largest: number;
}

function prepare(keys: ExactKeys): PreparedKeys {
  const n = keys.length;
  const p: PreparedKeys = { hi: new Float64Array(n), lo: new Float64Array(n), size: new Uint16Array(n), totalSize: 0, largest: 0 };
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    hashInto(k, p.hi, p.lo, i);
    const size = elementSize(k);
    p.size[i] = size;
    p.totalSize += size;
    if (size > p.largest) p.largest = size;
  }
  return p;
}

/** The first table size nginx tries (0: the keys cannot be built at all, whatever the size). */
function searchStart(keys: PreparedKeys, { bucketSize, maxSize }: MapHashSettings): number {
  const n = keys.size.length;
  if (bucketSize < keys.largest + POINTER) return 0;
  const start = Math.floor(n / Math.floor((bucketSize - POINTER) / (2 * POINTER))) || 1;
  return maxSize > 10000 && Math.floor(maxSize / n) < 100 ? maxSize - 1000 : start;
}

/** Whether a table of `size` buckets of `room` bytes holds every key (one step of nginx's search). */
function fits(keys: PreparedKeys, size: number, room: number, test: Uint16Array): boolean {
  // Same answer, no pass: the buckets cannot hold all keys together.
  if (keys.totalSize > size * room) return false;
  test.fill(0, 0, size);
  const { hi, lo, size: bytes } = keys;
  for (let k = 0; k < bytes.length; k++) {
    // key_hash % size on 64 bits: (hi % size) * 2^32 + lo < 2^46, so both quotients are exact in
    // doubles, and Math.floor of a double quotient is many times faster than the % of doubles.
    const h = hi[k]!;
    const x = (h - size * Math.floor(h / size)) * 4294967296 + lo[k]!;
    const i = x - size * Math.floor(x / size);
    const len = test[i]! + bytes[k]!;
    if (len > room) return false;
    test[i] = len;
  }
  return true;
}

/** The table size ngx_hash_init settles on: the first that fits; null when none does ("could not build optimal"). */
function tableSize(keys: PreparedKeys, settings: MapHashSettings): number | null {
  if (keys.size.length === 0) return 1;
  const start = searchStart(keys, settings);
  if (start === 0) return null;
  const room = settings.bucketSize - POINTER;
  const test = new Uint16Array(settings.maxSize + 1);
  // Sizes below the keys' total over a bucket's room cannot fit: skipped, same answer.
  for (let size = Math.max(start, Math.ceil(keys.totalSize / room)); size <= settings.maxSize; size++) {
    if (fits(keys, size, room, test)) return size;
  }
  return null;
}

/** Whether ngx_hash_init finds a table without the "could not build optimal" warning (and without error): its whole search. */
const buildsOptimally = (keys: PreparedKeys, settings: MapHashSettings): boolean => tableSize(keys, settings) !== null;

/** Enough for nginx to build without the warning: one of the last PROBES sizes of its search fits. */
function lastSizesFit(keys: PreparedKeys, settings: MapHashSettings, test: Uint16Array): boolean {
  const start = searchStart(keys, settings);
  if (start === 0) return false;
  const last = Math.max(start, settings.maxSize - PROBES + 1);
  for (let size = settings.maxSize; size >= last; size--) {
    if (fits(keys, size, settings.bucketSize - POINTER, test)) return true;
  }
  return false;
}

/** The number of buckets nginx 1.22 gives one map's table under these settings; null when it warns. */
export function nginxTableSize(keys: ExactKeys, settings: MapHashSettings): number | null {
  return tableSize(prepare(keys), settings);
}

/** Whether every map builds its table under these settings exactly as nginx 1.22 would. */
export function allBuildOptimally(maps: readonly ExactKeys[], settings: MapHashSettings): boolean {
  return maps.every((keys) => buildsOptimally(prepare(keys), settings));
}

/**
 * The defaults when every map builds an optimal table with them; otherwise the first candidate
 * under which every map fits one of its last PROBES table sizes (see the top of this file). If none
 * up to 4096/10000 does, the largest candidate: nginx then warns but still works.
 */
export function chooseMapHashSettings(maps: readonly ExactKeys[]): MapHashSettings {
  const prepared = maps.filter((m) => m.length > 0).map(prepare);
  const test = new Uint16Array(MAX_SIZES[MAX_SIZES.length - 1]! + 1);
  const defaults = NGINX_MAP_HASH_DEFAULTS;
  if (prepared.every((keys) => lastSizesFit(keys, defaults, test) || buildsOptimally(keys, defaults))) return defaults;
  for (const bucketSize of BUCKET_SIZES) {
    for (const maxSize of MAX_SIZES) {
      const settings = { bucketSize, maxSize };
      if (prepared.every((keys) => lastSizesFit(keys, settings, test))) return settings;
    }
  }
  return { bucketSize: BUCKET_SIZES[BUCKET_SIZES.length - 1]!, maxSize: MAX_SIZES[MAX_SIZES.length - 1]! };
}
