package webclient

import (
	"context"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// lockExt names a build's lock file in the cache folder: <key>.lock.
const lockExt = ".lock"

// lockKey takes the cache folder's lock for one build key, so that the
// servers and test binaries sharing a cache wait for one build (or one
// brotli compression) instead of each doing the same work. The lock saves
// work; it is not what keeps the cache whole (writeAtomic and the rename
// in build do that), so a lock that cannot be taken, say in a read-only
// cache, lets the work go on without it. Only ctx ending is an error.
func (c *Client) lockKey(ctx context.Context, key, what string) (unlock func(), err error) {
	l := flock.New(filepath.Join(c.o.CacheDir, key+lockExt))
	ok, err := l.TryLock()
	if err == nil && !ok {
		c.log.Info().Str("key", key[:12]).Msg("client: waiting for another " + what + " of the same client")
		ok, err = l.TryLockContext(ctx, 100*time.Millisecond)
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil || !ok {
		c.log.Debug().Err(err).Msg("client: no lock on the cache; going on without it")
		return func() {}, nil
	}
	return func() { l.Unlock() }, nil
}
