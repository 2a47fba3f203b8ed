package intents

// DeclaredSlots gives the tests the slots the interaction model declares,
// as the dialog reads them.
var DeclaredSlots = declaredSlots
