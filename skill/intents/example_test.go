package intents_test

import (
	"fmt"

	"github.com/dingdang-voicepay/voicepay/skill/intents"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

func ExampleScreened() {
	fmt.Println(intents.Screened(tsktest.NewLaunch(tsktest.Screened())))
	fmt.Println(intents.Screened(tsktest.NewLaunch(tsktest.Screenless())))
	// Output:
	// true
	// false
}

func ExampleIntentNames() {
	fmt.Println(intents.IntentNames())
	// Output: [browse buy yes no play my_purchases refund help cancel]
}
