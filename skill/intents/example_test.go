package intents_test

import (
	"fmt"

	"github.com/dingdang-voicepay/voicepay/skill/intents"
)

func ExampleIntentNames() {
	fmt.Println(intents.IntentNames())
	// Output: [browse browse_more buy yes no play my_purchases my_account refund help cancel]
}
