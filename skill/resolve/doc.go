// Package resolve maps what a speaker heard to the catalog's products, the
// way a person would: numbers in any form (第35集, 第三十五集, 三十五集, 35,
// 卅五, full-width digits; 两个, 二, 2), homophones and the recogniser's
// usual confusions compared in pinyin with tones ignored (n/l, an/ang,
// en/eng, in/ing, z/zh, c/ch, s/sh, f/h), a series and an episode from the
// platform's album and index slots or from one phrase, and the filler words
// of a request (我要, 买, 一下, 那个, 吧, 呢) ignored.
//
// New builds an Index once per catalog; Index.Resolve scores the products
// a phrase may mean and decides: One product (sure, and no other close),
// Ambiguous (unsure, or several alike: ask which), or None (with
// suggestions). It never guesses between two products: a wrong product
// offered is worse than a question. Work is bounded: a phrase is cut to
// Config.MaxRunes runes before matching, and matching is linear in the
// phrase and the catalog (postings by syllable, built once).
//
// Pinyin comes from github.com/mozillazg/go-pinyin, read once per process
// into a table of the CJK block.
package resolve
