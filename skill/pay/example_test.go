package pay_test

import (
	"errors"
	"fmt"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
)

// The tradeNo is derived from the request, so the platform's retry of the
// same create order finds the same order.
func ExampleTradeNo() {
	req := pay.CreateOrderRequest{SkillID: "test-skill", UserToken: "u1", NonceStr: "n1",
		Details: []shop.Line{{ItemID: "album", Quantity: 1, Amount: 500}}, TotalAmt: 500}
	no := pay.TradeNo(req)
	fmt.Println(len(no), no == pay.TradeNo(req), pay.RefundTradeNo(no, 1)[0:1]+"…"+pay.RefundTradeNo(no, 1)[25:])
	// Output: 25 true R…01
}

// A refusal answers its code; the platform's retry of our own trouble is
// asked for with RetryMsg, whatever the error says.
func ExampleFailReply() {
	fmt.Printf("%+v\n", pay.FailReply(shop.Coded(shop.ECONFLICT, shop.EAlreadyOwned, "already owned")))
	fmt.Printf("%+v\n", pay.FailReply(errors.New("disk full at /var/lib/skill.db")))
	// Output:
	// {RetCode:FAIL RetMsg:already_owned TradeNo:}
	// {RetCode:FAIL RetMsg:try_again TradeNo:}
}
