package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// DefaultKeyFile is the key file unless -key-file says otherwise: beside
// the data folder dir (its name with .key after it), never inside it.
func DefaultKeyFile(dir string) string {
	if dir == "" {
		dir = DefaultDir()
	}
	return filepath.Clean(dir) + ".key"
}

// ReadKeyFile reads the service's key in path, or makes one there when
// there is none. It seals every room's key, and the nodes of a service
// authenticate each other with it: every node needs the same file.
func ReadKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		var raw [32]byte
		rand.Read(raw[:]) // never fails
		b = []byte(hex.EncodeToString(raw[:]) + "\n")
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("store: key file: %w", err)
		}
		// Written whole beside it, then linked in place: servers of a
		// service starting together never read a half-written key, and
		// the first one's key is everyone's.
		tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
		if err != nil {
			return nil, fmt.Errorf("store: key file: %w", err)
		}
		defer os.Remove(tmp.Name())
		_, err = tmp.Write(b)
		if err == nil {
			err = tmp.Sync()
		}
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Link(tmp.Name(), path)
		}
		if errors.Is(err, os.ErrExist) { // another server made it meanwhile
			return ReadKeyFile(path)
		}
		if err != nil {
			return nil, fmt.Errorf("store: key file: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("store: key file: %w", err)
	}
	raw, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(raw) != 32 {
		return nil, fmt.Errorf("store: key file %s: not a key (64 hexadecimal digits)", path)
	}
	return raw, nil
}

// A sealed record is a version byte, a nonce and the AES-GCM ciphertext of
// the room's id (a length byte first) and its contents. The record's name
// is authenticated with them, so one room's record cannot pass for
// another's.
const sealV1 = 1

func newAEAD(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("store: key: %w", err)
	}
	return cipher.NewGCM(b)
}

func seal(aead cipher.AEAD, name, id string, contents []byte) []byte {
	plain := make([]byte, 0, 1+len(id)+len(contents))
	plain = append(append(append(plain, byte(len(id))), id...), contents...)
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(plain)+aead.Overhead())
	out[0] = sealV1
	rand.Read(out[1:]) // never fails
	return aead.Seal(out, out[1:], plain, []byte(name))
}

func open(aead cipher.AEAD, name string, sealed []byte) (id string, contents []byte, err error) {
	n := aead.NonceSize()
	if len(sealed) < 1+n || sealed[0] != sealV1 {
		return "", nil, errors.New("store: not a sealed record")
	}
	plain, err := aead.Open(nil, sealed[1:1+n], sealed[1+n:], []byte(name))
	if err != nil {
		return "", nil, fmt.Errorf("store: open: %w", err)
	}
	if len(plain) < 1 || len(plain) < 1+int(plain[0]) {
		return "", nil, errors.New("store: a sealed record without its room")
	}
	return string(plain[1 : 1+plain[0]]), plain[1+plain[0]:], nil
}
