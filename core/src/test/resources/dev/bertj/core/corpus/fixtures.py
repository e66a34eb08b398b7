# How the corpus reader fixtures in this directory were made (run once; kept for provenance, not by the build).
# Inputs: Debian's sword-text-web 426.0-1 and r-cran-janeaustenr 1.0.0-1 (public domain texts).
#   python3 fixtures.py /usr/share/sword/modules/texts/ztext/engWEB2015eb /path/to/janeaustenr/data
# Writes: sword-web-excerpt/{ot,nt}.{bzs,bzv,bzz} (a few real WEB entries re-packed into small blocks) and
#         janeaustenr-excerpt/Rdata.{rdx,rdb} (line excerpts of three novels in R's lazy-load format).
import gzip, os, struct, sys, zlib

web, austen = sys.argv[1], sys.argv[2]

def load(t):
    bzs = open(os.path.join(web, t + '.bzs'), 'rb').read()
    bzv = open(os.path.join(web, t + '.bzv'), 'rb').read()
    bzz = open(os.path.join(web, t + '.bzz'), 'rb').read()
    blocks = [struct.unpack('<III', bzs[i:i + 12]) for i in range(0, len(bzs), 12)]
    ents = [struct.unpack('<IIH', bzv[i:i + 10]) for i in range(0, len(bzv), 10)]
    dec = [zlib.decompress(bzz[o:o + c]) for (o, c, u) in blocks]
    return lambda k: dec[ents[k][0]][ents[k][1]:ents[k][1] + ents[k][2]]

def write_module(out, t, blocks):
    """blocks: list of lists of entry byte strings (b'' = empty entry, stored as size 0)."""
    bzs, bzv, bzz = b'', b'', b''
    for bi, entries in enumerate(blocks):
        data = b''
        for e in entries:
            bzv += struct.pack('<IIH', bi if e else 0, len(data) if e else 0, len(e))
            data += e
        comp = zlib.compress(data, 9)
        bzs += struct.pack('<III', len(bzz), len(comp), len(data))
        bzz += comp
    os.makedirs(out, exist_ok=True)
    for ext, content in (('bzs', bzs), ('bzv', bzv), ('bzz', bzz)):
        open(os.path.join(out, t + '.' + ext), 'wb').write(content)

ot, nt = load('ot'), load('nt')
preface = ot(2)
cut = preface.index(b'<div eID="gen4" type="x-p"/>') + len(b'<div eID="gen4" type="x-p"/>')
tail = preface.index(b'<div eID="gen3" type="introduction"/>')
book_intro = preface[:cut] + b' ' + preface[tail:]
write_module('sword-web-excerpt', 'ot', [
    [b'', ot(1)],
    [book_intro] + [ot(k) for k in range(3, 9)] + [b''] + [ot(34), ot(35), ot(36), ot(37), ot(38)],
    [ot(k) for k in range(14459, 14463)],
    [ot(k) for k in range(18233, 18236)],
])
write_module('sword-web-excerpt', 'nt', [[b'', nt(1)], [nt(k) for k in range(2, 6)]])

# R lazy-load database: XDR serialization, version 3.
def i32(v): return struct.pack('>i', v)
HEADER = b'X\n' + i32(3) + i32(0x040201) + i32(0x030500) + i32(5) + b'UTF-8'
def charsxp(s, utf8=False):
    if s is None: return i32(9) + i32(-1)
    b = s.encode('utf-8')
    return i32(0x8009 if utf8 else 0x40009) + i32(len(b)) + b
def strsxp(values):
    out = i32(16) + i32(len(values))
    for v in values:
        out += charsxp(v, v is not None and not v.isascii())
    return out
def names_attr(names, first):
    sym = (i32(1) + charsxp('names')) if first else i32((1 << 8) | 255)  # later uses are references
    return i32(0x402) + sym + strsxp(names) + i32(254)

def rdb_lines(name):
    import re
    rdb = open(os.path.join(austen, 'Rdata.rdb'), 'rb').read()
    rdx = gzip.open(os.path.join(austen, 'Rdata.rdx')).read()
    offs = {'emma': (0, 0x55f2b), 'mansfieldpark': (0x55f2b, 0x55c8d), 'persuasion': (0xd6814, 0x2d32a),
            'prideprejudice': (0x103b3e, 0x422bd)}[name]
    x = zlib.decompress(rdb[offs[0] + 4:offs[0] + offs[1]])
    p = len(HEADER); n = struct.unpack('>i', x[p + 4:p + 8])[0]; p += 8
    lines = []
    for _ in range(n):
        f, l = struct.unpack('>ii', x[p:p + 8]); p += 8
        lines.append(x[p:p + l].decode('utf-8') if l >= 0 else None); p += max(l, 0)
    return lines

pp = rdb_lines('prideprejudice')
c2 = pp.index('Chapter 2')
pride = pp[:30] + pp[c2:c2 + 22]
em = rdb_lines('emma')
e2 = em.index('CHAPTER II')
emma = em[:30] + [None] + em[e2:e2 + 14]
pe = rdb_lines('persuasion')
persuasion = pe[:8] + pe[pe.index('Chapter 24'):pe.index('Chapter 24') + 12] + pe[-4:]
mp = rdb_lines('mansfieldpark')
utf8 = next(l for l in mp if l and not l.isascii())
persuasion.insert(12, utf8)

objects = [('prideprejudice', pride), ('emma', emma), ('persuasion', persuasion)]
rdb, index = b'', []
for name, lines in objects:
    data = HEADER + strsxp(lines)
    chunk = struct.pack('>I', len(data)) + zlib.compress(data, 9)
    index.append((name, len(rdb), len(chunk)))
    rdb += chunk
variables = i32(0x213) + i32(len(index))
for name, off, ln in index:
    variables += i32(13) + i32(2) + i32(off) + i32(ln)
variables += names_attr([n for n, _, _ in index], True)
top = (i32(0x213) + i32(3) + variables + i32(19) + i32(0) + i32(10) + i32(1) + i32(1)
       + names_attr(['variables', 'references', 'compressed'], False))
os.makedirs('janeaustenr-excerpt', exist_ok=True)
open('janeaustenr-excerpt/Rdata.rdb', 'wb').write(rdb)
with gzip.open('janeaustenr-excerpt/Rdata.rdx', 'wb') as f:
    f.write(HEADER + top)
