package protocol

import (
	"bytes"
	"errors"
	"fmt"
	"sync"

	"github.com/vmihailenco/msgpack/v5"
)

// MaxClientFrame is the largest frame a client may send: an action with a
// typed answer fits many times over. The server closes a connection that
// sends more.
const MaxClientFrame = 4 << 10

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Encode returns the frame for m.
func Encode(m Message) ([]byte, error) {
	buf := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(buf)
	buf.Reset()
	enc := msgpack.GetEncoder()
	defer msgpack.PutEncoder(enc)
	enc.Reset(buf)
	enc.UseCompactInts(true)
	if err := enc.EncodeArrayLen(2); err != nil {
		return nil, fmt.Errorf("protocol: encode: %w", err)
	}
	if err := enc.EncodeUint(uint64(m.Type())); err != nil {
		return nil, fmt.Errorf("protocol: encode: %w", err)
	}
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("protocol: encode %T: %w", m, err)
	}
	return bytes.Clone(buf.Bytes()), nil
}

// ErrUnknownType is returned for a frame of a type this version does not know.
var ErrUnknownType = errors.New("protocol: unknown message type")

// Decode reads one frame. It checks the frame with Check first and decodes
// the body only into the concrete struct of its type.
func Decode(b []byte) (Message, error) {
	if err := Check(b); err != nil {
		return nil, err
	}
	dec := msgpack.GetDecoder()
	defer msgpack.PutDecoder(dec)
	dec.Reset(bytes.NewReader(b))
	n, err := dec.DecodeArrayLen()
	if err != nil || n != 2 {
		return nil, fmt.Errorf("%w: not a [type, body] pair", ErrMalformed)
	}
	t, err := dec.DecodeUint8()
	if err != nil {
		return nil, fmt.Errorf("%w: type: %v", ErrMalformed, err)
	}
	var m Message
	switch Type(t) {
	case TypeHello:
		m, err = decodeInto[Hello](dec)
	case TypeAct:
		m, err = decodeInto[Act](dec)
	case TypePing:
		m, err = decodeInto[Ping](dec)
	case TypeWelcome:
		m, err = decodeInto[Welcome](dec)
	case TypeSnapshot:
		m, err = decodeInto[Snapshot](dec)
	case TypeUpdate:
		m, err = decodeInto[Update](dec)
	case TypeAck:
		m, err = decodeInto[Ack](dec)
	case TypeError:
		m, err = decodeInto[Error](dec)
	case TypePong:
		m, err = decodeInto[Pong](dec)
	case TypeNotice:
		m, err = decodeInto[Notice](dec)
	case TypeTrain:
		m, err = decodeInto[Train](dec)
	case TypeWorkshop:
		m, err = decodeInto[Workshop](dec)
	case TypeDashboard:
		m, err = decodeInto[Dashboard](dec)
	case TypeAssigned:
		m, err = decodeInto[Assigned](dec)
	default:
		return nil, fmt.Errorf("%w %d", ErrUnknownType, t)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return m, nil
}

func decodeInto[T Message](dec *msgpack.Decoder) (Message, error) {
	var v T
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}
