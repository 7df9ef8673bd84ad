#!/usr/bin/python3
"""Sets a root attribute of a Myelin checkpoint and reseals it (the seal in the 512-byte user
block: size and hash of the bytes after it, as src/io/checkpoint_file.cpp computes them), to
make a checkpoint that is whole but says something else (another version, another config).

    checkpoint_reseal.py FILE ATTRIBUTE VALUE
    checkpoint_reseal.py FILE --add DATASET INDEX DELTA   (adds DELTA to one element)
"""
import sys

import h5py

M = (1 << 64) - 1


def byte_hash(data: bytes) -> int:
    state = 0x6A09E667F3BCC908

    def mix(word):
        nonlocal state
        x = state ^ ((word + 0x9E3779B97F4A7C15) & M)
        x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M
        state = x ^ (x >> 31)

    full = len(data) // 8 * 8
    for i in range(0, full, 8):
        mix(int.from_bytes(data[i:i + 8], "little"))
    if full < len(data):
        mix(int.from_bytes(data[full:], "little"))
    mix(len(data))
    return state


def main(path, attribute, value, *rest):
    with h5py.File(path, "r+") as f:
        if attribute == "--add":
            f[value][int(rest[0])] += float(rest[1])
        else:
            f.attrs[attribute] = value
    with open(path, "rb") as f:
        content = f.read()
    seal = f"MYELIN-CHECKPOINT 1\nbytes {len(content)}\nhash {byte_hash(content[512:]):016x}\n"
    with open(path, "r+b") as f:
        f.write(seal.encode().ljust(512, b"\0"))


if __name__ == "__main__":
    main(*sys.argv[1:])
