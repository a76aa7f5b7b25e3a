package everything

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
)

// pngImage is a 1×1 red PNG, made at start-up so no binary blob lives in the source.
var pngImage = func() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 1, 1))
	img.Set(0, 0, color.RGBA{R: 0xff, A: 0xff})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic("encoding the sample image: " + err.Error())
	}
	return buf.Bytes()
}()

// wavAudio is a short silent 8 kHz, 16-bit mono WAV file.
var wavAudio = func() []byte {
	const (
		sampleRate = 8000
		samples    = 8
		dataLen    = samples * 2
	)
	var buf bytes.Buffer
	le := func(v any) { binary.Write(&buf, binary.LittleEndian, v) }
	buf.WriteString("RIFF")
	le(uint32(36 + dataLen))
	buf.WriteString("WAVEfmt ")
	le(uint32(16))             // fmt chunk size
	le(uint16(1))              // PCM
	le(uint16(1))              // mono
	le(uint32(sampleRate))     // sample rate
	le(uint32(sampleRate * 2)) // byte rate
	le(uint16(2))              // block align
	le(uint16(16))             // bits per sample
	buf.WriteString("data")
	le(uint32(dataLen))
	buf.Write(make([]byte, dataLen))
	return buf.Bytes()
}()
