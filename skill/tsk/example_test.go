package tsk_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

func ExampleSignHMAC() {
	body := []byte("{}")
	at := time.Date(2017, 7, 20, 19, 35, 59, 0, time.UTC)
	header := tsk.SignHMAC(body, at, []byte("key"))
	fmt.Println(header)

	v := &tsk.Verifier{Secrets: [][]byte{[]byte("key")}, Now: func() time.Time { return at.Add(time.Minute) }}
	_, err := v.Verify(body, header)
	fmt.Println("verified:", err == nil)
	// Output:
	// TSK-HMAC-SHA256-BASIC Datetime=20170720T193559Z, Signature=e42a713da953c242c0f36490645d5e32e70dfd83a6356959a326c73b9595a37a
	// verified: true
}

func ExampleParseAuthorization() {
	a, err := tsk.ParseAuthorization("TSK-RSA2  Signature=ZDg2MA==,Datetime=20170720T193559Z")
	fmt.Println(a.Algorithm, a.Datetime, a.Signature, err)
	fmt.Println(a)
	// Output:
	// TSK-RSA2 20170720T193559Z ZDg2MA== <nil>
	// TSK-RSA2 Datetime=20170720T193559Z, Signature=ZDg2MA==
}

func ExampleNewResponse() {
	r := tsk.NewResponse("请问你要去哪里", false).WithDirectives(tsk.ElicitSlot{SlotToElicit: "destination"})
	b, _ := json.Marshal(r)
	fmt.Println(string(b))
	// Output:
	// {"version":"1.0","response":{"outputSpeech":{"type":"PlainText","text":"请问你要去哪里"},"shouldEndSession":false,"directives":[{"type":"Dialog.ElicitSlot","slotToElicit":"destination"}]}}
}
