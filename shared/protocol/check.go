package protocol

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// MaxDepth is how deeply containers may nest in a frame. The deepest message
// (an update that carries a summary) needs 7.
const MaxDepth = 12

// ErrMalformed is wrapped by every error Check returns.
var ErrMalformed = errors.New("protocol: malformed frame")

// Check walks a msgpack frame without decoding it and refuses one that could
// make a decoder allocate more than the frame's size suggests: every array,
// map, string and binary must fit in the bytes that remain, containers nest at
// most MaxDepth deep, extensions are not used, and nothing trails the value.
func Check(b []byte) error {
	// pending[d] counts the values still owed at depth d.
	var pending [MaxDepth + 1]int
	depth := 0
	pending[0] = 1
	i := 0
	for {
		for depth > 0 && pending[depth] == 0 {
			depth--
		}
		if pending[depth] == 0 {
			break
		}
		pending[depth]--
		if i >= len(b) {
			return fmt.Errorf("%w: truncated at byte %d", ErrMalformed, i)
		}
		c := b[i]
		i++
		var n, items int // n: payload bytes to skip; items: values a container holds
		container := false
		switch {
		case c <= 0x7f, c >= 0xe0, c == 0xc0, c == 0xc2, c == 0xc3:
		case c >= 0x80 && c <= 0x8f:
			items, container = 2*int(c&0x0f), true
		case c >= 0x90 && c <= 0x9f:
			items, container = int(c&0x0f), true
		case c >= 0xa0 && c <= 0xbf:
			n = int(c & 0x1f)
		case c == 0xcc, c == 0xd0:
			n = 1
		case c == 0xcd, c == 0xd1:
			n = 2
		case c == 0xca, c == 0xce, c == 0xd2:
			n = 4
		case c == 0xcb, c == 0xcf, c == 0xd3:
			n = 8
		case c == 0xc4, c == 0xd9: // bin8, str8
			l, err := length(b, &i, 1)
			if err != nil {
				return err
			}
			n = l
		case c == 0xc5, c == 0xda:
			l, err := length(b, &i, 2)
			if err != nil {
				return err
			}
			n = l
		case c == 0xc6, c == 0xdb:
			l, err := length(b, &i, 4)
			if err != nil {
				return err
			}
			n = l
		case c == 0xdc, c == 0xde: // array16, map16
			l, err := length(b, &i, 2)
			if err != nil {
				return err
			}
			items, container = l, true
			if c == 0xde {
				items *= 2
			}
		case c == 0xdd, c == 0xdf: // array32, map32
			l, err := length(b, &i, 4)
			if err != nil {
				return err
			}
			items, container = l, true
			if c == 0xdf {
				items *= 2
			}
		default: // extensions (0xc7–0xc9, 0xd4–0xd8) and the unused 0xc1
			return fmt.Errorf("%w: type byte 0x%02x at %d", ErrMalformed, c, i-1)
		}
		if n > len(b)-i {
			return fmt.Errorf("%w: %d bytes promised at %d, %d left", ErrMalformed, n, i, len(b)-i)
		}
		i += n
		if container && items > 0 {
			// Every value takes at least one byte.
			if items > len(b)-i {
				return fmt.Errorf("%w: %d values promised at %d, %d bytes left", ErrMalformed, items, i, len(b)-i)
			}
			if depth == MaxDepth {
				return fmt.Errorf("%w: nested deeper than %d", ErrMalformed, MaxDepth)
			}
			depth++
			pending[depth] = items
		}
	}
	if i != len(b) {
		return fmt.Errorf("%w: %d bytes after the value", ErrMalformed, len(b)-i)
	}
	return nil
}

// length reads a big-endian length of size bytes at b[*i].
func length(b []byte, i *int, size int) (int, error) {
	if len(b)-*i < size {
		return 0, fmt.Errorf("%w: truncated length at %d", ErrMalformed, *i)
	}
	var l uint64
	switch size {
	case 1:
		l = uint64(b[*i])
	case 2:
		l = uint64(binary.BigEndian.Uint16(b[*i:]))
	case 4:
		l = uint64(binary.BigEndian.Uint32(b[*i:]))
	}
	*i += size
	if l > uint64(len(b)) {
		return 0, fmt.Errorf("%w: length %d in a frame of %d bytes", ErrMalformed, l, len(b))
	}
	return int(l), nil
}
