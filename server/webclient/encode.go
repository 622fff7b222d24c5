package webclient

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/andybalholm/brotli"
)

// Content encodings, in the order of the asset.reps array.
const (
	encIdentity = iota
	encGzip
	encBrotli
	numEnc
)

var (
	encNames = [numEnc]string{"", "gzip", "br"} // Content-Encoding
	encExt   = [numEnc]string{"", ".gz", ".br"} // file name suffix in the cache
)

// rep is one representation of a file: its bytes in one encoding.
type rep struct {
	r    io.ReaderAt // an open file, or bytes in memory
	size int64
	etag string // strong: a hash of these very bytes
}

func (r *rep) hasPrefix(p []byte) bool {
	head := make([]byte, len(p))
	n, _ := r.r.ReadAt(head, 0)
	return n == len(p) && bytes.Equal(head, p)
}

// memRep keeps b in memory.
func memRep(b []byte) *rep {
	return &rep{r: bytes.NewReader(b), size: int64(len(b)), etag: etagOf(sha256.Sum256(b))}
}

// openRep opens a file to serve and reads it once for its ETag; the file
// stays open until Close, so a prune by another server cannot take it away.
func (c *Client) openRep(path string) (*rep, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		f.Close()
		return nil, err
	}
	c.hold(f)
	return &rep{r: f, size: n, etag: etagOf([sha256.Size]byte(h.Sum(nil)))}, nil
}

func etagOf(sum [sha256.Size]byte) string {
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// encoded returns the file src compressed with enc. An earlier run's copy at
// dstBase plus the encoding's suffix is used as it is; otherwise src is
// compressed now and kept there, or in memory if that cannot be written.
func (c *Client) encoded(ctx context.Context, src, dstBase string, enc int) (*rep, error) {
	dst := dstBase + encExt[enc]
	if r, err := c.openRep(dst); err == nil {
		return r, nil
	}
	if enc == encBrotli {
		c.brotlis.Add(1)
	}
	err := writeAtomic(dst, func(w io.Writer) error { return compressFile(ctx, w, src, enc, c.o.BrotliQuality) })
	if err == nil {
		return c.openRep(dst)
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	c.log.Warn().Err(err).Str("file", filepath.Base(dst)).Msg("client: cannot write the cache; keeping the compressed copy in memory")
	var buf bytes.Buffer
	if err := compressFile(ctx, &buf, src, enc, c.o.BrotliQuality); err != nil {
		return nil, err
	}
	return memRep(buf.Bytes()), nil
}

// compressFile writes the file src to w compressed with enc: gzip at its
// best compression, brotli at quality.
func compressFile(ctx context.Context, w io.Writer, src string, enc, quality int) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	return compress(ctx, w, f, enc, quality)
}

func compress(ctx context.Context, w io.Writer, r io.Reader, enc, quality int) error {
	var zw io.WriteCloser
	switch enc {
	case encGzip:
		zw, _ = gzip.NewWriterLevel(w, gzip.BestCompression)
	case encBrotli:
		zw = brotli.NewWriterLevel(w, quality)
	default:
		return fmt.Errorf("no compressor for encoding %d", enc)
	}
	if _, err := io.Copy(zw, ctxReader{ctx, r}); err != nil {
		return err
	}
	return zw.Close()
}

// ctxReader stops a long compression when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

// writeAtomic writes a file through a temporary in the same folder and
// renames it into place, so that the file is either whole or absent.
func writeAtomic(path string, fill func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // fails harmlessly after the rename
	bw := bufio.NewWriterSize(f, 64<<10)
	err = fill(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// asset is a file served at one URL, in the encodings it has.
type asset struct {
	ctype     string
	immutable bool // the URL names the content: cache for a year
	reps      [numEnc]*rep
}

func (a *asset) size(enc int) int64 {
	if a.reps[enc] == nil {
		return 0
	}
	return a.reps[enc].size
}

// smaller reports whether a has encoding enc and it is smaller than other
// (or a lacks other): brotli at a low quality can lose to gzip at its best.
func (a *asset) smaller(enc, other int) bool {
	return a.reps[enc] != nil && (a.reps[other] == nil || a.reps[enc].size < a.reps[other].size)
}

// with returns a copy of a that also has r as encoding enc.
func (a *asset) with(enc int, r *rep) *asset {
	n := *a
	n.reps[enc] = r
	return &n
}

// memAsset serves b from memory. The page's own files are a few kilobytes
// and revalidated with a 304 on later visits: they go uncompressed, so that
// New does no compression work before the server listens.
func memAsset(ctype string, b []byte) *asset {
	a := &asset{ctype: ctype}
	a.reps[encIdentity] = memRep(b)
	return a
}

// serve sends the representation the request accepts best, with ranges and
// conditional requests handled by http.ServeContent.
func (a *asset) serve(w http.ResponseWriter, r *http.Request) {
	enc := encIdentity
	// Several ranges go out as multipart/byteranges, whose parts cannot say
	// they are encoded: send those from the plain bytes.
	if !strings.Contains(r.Header.Get("Range"), ",") {
		enc = chooseEncoding(r.Header.Get("Accept-Encoding"), a.reps[encGzip] != nil, a.smaller(encBrotli, encGzip))
	}
	rp := a.reps[enc]
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Add("Vary", "Accept-Encoding")
	h.Set("Etag", rp.etag)
	if a.immutable {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		// fetch cannot see the encoded length; the page counts decoded
		// bytes against this for its progress bar.
		h.Set("X-Raw-Size", strconv.FormatInt(a.reps[encIdentity].size, 10))
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	ew := &encodingWriter{ResponseWriter: w, enc: encNames[enc]}
	http.ServeContent(ew, r, "", time.Time{}, io.NewSectionReader(rp.r, 0, rp.size))
}

// encodingWriter sets Content-Encoding only on a response that carries the
// encoded bytes (200 or 206). http.ServeContent must not see the header
// before that: with it, ServeContent leaves out Content-Length on a full
// response, and its 304s and errors carry none of those bytes.
type encodingWriter struct {
	http.ResponseWriter
	enc   string
	wrote bool
}

func (e *encodingWriter) WriteHeader(code int) {
	if !e.wrote {
		e.wrote = true
		if e.enc != "" && (code == http.StatusOK || code == http.StatusPartialContent) {
			e.Header().Set("Content-Encoding", e.enc)
		}
	}
	e.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the server's writer.
func (e *encodingWriter) Unwrap() http.ResponseWriter { return e.ResponseWriter }

func (e *encodingWriter) Write(p []byte) (int, error) {
	if !e.wrote {
		e.WriteHeader(http.StatusOK)
	}
	return e.ResponseWriter.Write(p)
}

// chooseEncoding picks the encoding an Accept-Encoding header weighs
// highest among those at hand, brotli first on a tie, identity when the
// header accepts neither.
func chooseEncoding(accept string, haveGzip, haveBrotli bool) int {
	weights := map[string]float64{}
	for _, part := range strings.Split(accept, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(p, "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
				continue
			}
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				q = f
			} else {
				q = 0
			}
		}
		weights[name] = q
	}
	weight := func(names ...string) float64 {
		for _, n := range names {
			if q, ok := weights[n]; ok {
				return q
			}
		}
		return weights["*"] // zero when absent
	}
	best, bestQ := encIdentity, 0.0
	if q := weight("br"); haveBrotli && q > bestQ {
		best, bestQ = encBrotli, q
	}
	if q := weight("gzip", "x-gzip"); haveGzip && q > bestQ {
		best = encGzip
	}
	return best
}
