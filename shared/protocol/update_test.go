package protocol

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/pore/elamanipeli/shared/rules"
)

// plainUpdate is Update without its encoder: msgpack encodes it by
// reflection, as it encoded every Update before Update.EncodeMsgpack.
type plainUpdate Update

// compact encodes v as Encode does.
func compact(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := msgpack.NewEncoder(&buf)
	enc.UseCompactInts(true)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestUpdateEncodesAsReflectionDoes fills every field of an Update's events,
// at random, with nothing, an empty value or a value (negative and wide
// numbers, nil and empty lists, absent and present pointers), and holds
// Update's own encoding to msgpack's reflection, byte for byte. A field
// added to an event's types and not to update.go makes the two differ.
func TestUpdateEncodesAsReflectionDoes(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		var u Update
		fill(t, r, reflect.ValueOf(&u).Elem(), 0)
		own, plain := compact(t, u), compact(t, plainUpdate(u))
		if !bytes.Equal(own, plain) {
			t.Fatalf("update %d encodes as\n%x\nreflection as\n%x\n%+v", i, own, plain, u)
		}
		var back Update
		if err := msgpack.Unmarshal(own, &back); err != nil {
			t.Fatalf("update %d does not decode: %v", i, err)
		}
	}
}

// fill sets v to a random value: a third of the time to its zero.
func fill(t *testing.T, r *rand.Rand, v reflect.Value, depth int) {
	t.Helper()
	empty := r.IntN(3) == 0
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			fill(t, r, v.Field(i), depth+1)
		}
	case reflect.Pointer:
		if !empty && depth < 8 {
			v.Set(reflect.New(v.Type().Elem()))
			fill(t, r, v.Elem(), depth+1)
		}
	case reflect.Slice:
		switch {
		case empty:
		case r.IntN(4) == 0 || depth >= 8:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		default:
			n := 1 + r.IntN(3)
			v.Set(reflect.MakeSlice(v.Type(), n, n))
			for i := range n {
				fill(t, r, v.Index(i), depth+1)
			}
		}
	case reflect.String:
		if !empty {
			v.SetString([]string{"a", "ä", "Miltä tuntuu?", string(make([]byte, 40))}[r.IntN(4)])
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if !empty {
			n := []int64{1, -1, 5, 127, 128, -33, 300, -300, 70000, -70000, 1 << 40}[r.IntN(11)]
			if !v.OverflowInt(n) {
				v.SetInt(n)
			}
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if !empty {
			n := []uint64{1, 5, 127, 128, 255, 300, 70000, 1 << 40}[r.IntN(8)]
			if !v.OverflowUint(n) {
				v.SetUint(n)
			}
		}
	case reflect.Bool:
		v.SetBool(!empty)
	default:
		t.Fatalf("fill: a field of kind %v (%v): teach fill, and update.go, its kind", v.Kind(), v.Type())
	}
}

// TestUpdateEncodesWithoutReflection: an Update with a card on the table
// encodes with the frame's one allocation (its bytes), where reflection made
// dozens.
func TestUpdateEncodesWithoutReflection(t *testing.T) {
	u := Update{Seq: 9, Events: []rules.Event{{Kind: rules.EvCard, Seat: 1, Step: &rules.StepView{
		Pos: 3, Turn: 1, Choice: -1, ChoiceBy: rules.NoSeat,
		Card: rules.CardView{Ref: rules.CardRef{Deck: "perus", Card: "k12"}, Kind: "question", Answerer: "turn",
			Title: "Unelmat", Text: "Mistä unelmoit?", Note: "Kuuntele.", Choices: []string{"a", "b"}},
		Answers: []rules.Answer{{Seat: 0, Text: "jotain"}, {Seat: 1, Passed: true}},
	}}}}
	if _, err := Encode(u); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(200, func() { Encode(u) }); n > 2 {
		t.Errorf("an update took %v allocations to encode; want at most 2", n)
	}
	if n := testing.AllocsPerRun(200, func() { msgpack.Marshal(plainUpdate(u)) }); n < 10 {
		t.Errorf("reflection took only %v allocations: the test no longer shows what it is for", n)
	}
}
