#include "text/normalize.h"

#include <unicode/ubrk.h>
#include <unicode/utext.h>
#include <unicode/utf16.h>
#include <unicode/utrans.h>
#include <unicode/uversion.h>
#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <type_traits>
#include <unordered_map>

#if defined(__SSE2__) && defined(__x86_64__)  // _mm_cvtsi128_si64 is x86-64's
#include <emmintrin.h>
#define DOPPEL_SSE2 1
#define DOPPEL_SIMD_DEFAULT true
#else
#define DOPPEL_SIMD_DEFAULT true
#endif

#include "text/utf8.h"
#include "util/hash.h"

#define XXH_INLINE_ALL  // short keys: inlining beats the library call
#include <xxhash.h>

namespace doppel {

// Thai, Lao, Myanmar and Khmer, with their marks and digits (all in their blocks).
bool is_dictionary_script(char32_t cp) {
  return (cp >= 0x0E00 && cp <= 0x0EFF) ||  // Thai, Lao
         (cp >= 0x1000 && cp <= 0x109F) ||  // Myanmar
         (cp >= 0x1780 && cp <= 0x17FF) ||  // Khmer
         (cp >= 0x19E0 && cp <= 0x19FF) ||  // Khmer symbols
         (cp >= 0xA9E0 && cp <= 0xA9FF) ||  // Myanmar extended-B
         (cp >= 0xAA60 && cp <= 0xAA7F);    // Myanmar extended-A
}

// ICU's word break iterator over a run of Thai, Lao, Khmer or Myanmar letters (its dictionaries
// find the words), and the breaks it gave for the run being normalized.
struct WordBreaker {
  UBreakIterator* words = nullptr;  // null where ICU could not make one: runs stay one word
  UText* text = nullptr;
  std::vector<std::size_t> breaks;  // byte offsets in the input, ascending
  WordBreaker() {
    UErrorCode status = U_ZERO_ERROR;
    words = ubrk_open(UBRK_WORD, "", nullptr, 0, &status);
    if (U_FAILURE(status)) words = nullptr;
  }
  WordBreaker(const WordBreaker&) = delete;
  WordBreaker& operator=(const WordBreaker&) = delete;
  ~WordBreaker() {
    if (text != nullptr) utext_close(text);
    if (words != nullptr) ubrk_close(words);
  }
  // The breaks between words inside input[begin, end) (not at its ends), into `breaks`.
  void segment(std::string_view input, std::size_t begin, std::size_t end) {
    breaks.clear();
    if (words == nullptr) return;
    UErrorCode status = U_ZERO_ERROR;
    text =
        utext_openUTF8(text, input.data() + begin, static_cast<std::int64_t>(end - begin), &status);
    ubrk_setUText(words, text, &status);
    if (U_FAILURE(status)) return;
    for (std::int32_t at = ubrk_next(words); at != UBRK_DONE; at = ubrk_next(words)) {
      if (static_cast<std::size_t>(at) < end - begin) breaks.push_back(begin + at);
    }
  }
};

// ICU's Traditional-Simplified transliterator, one Han character at a time, and what it gave for
// the characters seen so far (a text has a few thousand distinct ones at most).
struct HanSimplifier {
  UTransliterator* transliterator = nullptr;  // null where ICU could not make one: kept as is
  std::unordered_map<char32_t, char32_t> known;
  HanSimplifier() {
    UErrorCode status = U_ZERO_ERROR;
    transliterator =
        utrans_openU(u"Traditional-Simplified", -1, UTRANS_FORWARD, nullptr, 0, nullptr, &status);
    if (U_FAILURE(status)) transliterator = nullptr;
  }
  HanSimplifier(const HanSimplifier&) = delete;
  HanSimplifier& operator=(const HanSimplifier&) = delete;
  ~HanSimplifier() {
    if (transliterator != nullptr) utrans_close(transliterator);
  }
  // The simplified form of `cp`, or `cp` where it has none of one character.
  char32_t simplified(char32_t cp) {
    if (const auto it = known.find(cp); it != known.end()) return it->second;
    char32_t out = cp;
    if (transliterator != nullptr) {
      constexpr std::int32_t kRoom = 8;
      UChar text[kRoom];
      std::int32_t length = 0;
      UBool error = false;
      U16_APPEND(text, length, kRoom, static_cast<UChar32>(cp), error);
      std::int32_t limit = length;
      UErrorCode status = U_ZERO_ERROR;
      utrans_transUChars(transliterator, text, &length, kRoom, 0, &limit, &status);
      if (!error && U_SUCCESS(status) && length > 0 && length <= kRoom) {
        std::int32_t at = 0;
        UChar32 first = 0;
        U16_NEXT(text, at, length, first);
        if (at == length && first > 0) out = static_cast<char32_t>(first);
      }
    }
    known.emplace(cp, out);
    return out;
  }
};

std::string icu_version() {
  UVersionInfo version;
  u_getVersion(version);
  std::array<char, U_MAX_VERSION_STRING_LENGTH> text{};
  u_versionToString(version, text.data());
  return std::string(text.data());
}

std::vector<std::size_t> dictionary_word_breaks(std::string_view text) {
  WordBreaker breaker;
  breaker.segment(text, 0, text.size());
  return std::move(breaker.breaks);
}

namespace {

enum class CharClass : std::uint8_t { kWord, kSpace, kPunct, kIgnore };

constexpr std::array<CharClass, 128> make_ascii_classes() {
  std::array<CharClass, 128> t{};
  for (int c = 0; c < 128; ++c) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      t[c] = CharClass::kWord;
    } else if (c <= 0x20 || c == 0x7f) {
      t[c] = CharClass::kSpace;  // whitespace and control characters
    } else {
      t[c] = CharClass::kPunct;
    }
  }
  return t;
}
constexpr auto kAsciiClass = make_ascii_classes();

// What the normalizer does with each byte, for fold_punctuation off [0] and on [1]:
// 0 a word byte (ASCII), 1 a separator (ASCII), 2 part of a non-ASCII code point.
constexpr std::array<std::uint8_t, 256> make_byte_kinds(bool fold_punctuation) {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    if (c >= 0x80) {
      t[c] = 2;
    } else {
      const CharClass cls = kAsciiClass[c];
      t[c] = cls == CharClass::kWord || (cls == CharClass::kPunct && !fold_punctuation) ? 0 : 1;
    }
  }
  return t;
}
constexpr std::array<std::array<std::uint8_t, 256>, 2> kByteKinds = {make_byte_kinds(false),
                                                                     make_byte_kinds(true)};

// ASCII byte -> folded byte, for case_fold off [0] and on [1].
constexpr std::array<char, 128> make_byte_folds(bool case_fold) {
  std::array<char, 128> t{};
  for (int c = 0; c < 128; ++c) {
    t[c] = static_cast<char>(case_fold && c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
  return t;
}
constexpr std::array<std::array<char, 128>, 2> kByteFolds = {make_byte_folds(false),
                                                             make_byte_folds(true)};

// U+200B ZERO WIDTH SPACE: a format character, but a break between words (Thai and Khmer text,
// and scraped web pages, put it where a space would be); NFKC's removal of ignorables would glue
// the words on either side into one.
constexpr char32_t kZeroWidthSpace = 0x200B;

// Letters of scripts written without spaces between words, each a word of its own under
// NormalizeOptions::cjk_characters_are_words: Han ideographs (with the iteration and numeral
// marks 々 〆 〇 〡-〩), hiragana, katakana and bopomofo, not the combining kana voiced marks
// (U+3099, U+309A), which stay with the letter before them. Asked only of code points that are
// words (classify() is kWord), after NFKC: half-width katakana are full-width by then.
constexpr bool is_cjk_letter(char32_t cp) {
  if (cp < 0x3005) return false;
  if (cp <= 0x303C) {
    return cp <= 0x3007 || (cp >= 0x3021 && cp <= 0x3029) || (cp >= 0x3031 && cp <= 0x3035) ||
           cp >= 0x3038;
  }
  if (cp == 0x3099 || cp == 0x309A) return false;
  return (cp >= 0x3040 && cp <= 0x312F) ||    // hiragana, katakana, bopomofo
         (cp >= 0x31A0 && cp <= 0x31BF) ||    // bopomofo extended
         (cp >= 0x31F0 && cp <= 0x31FF) ||    // katakana phonetic extensions
         (cp >= 0x3400 && cp <= 0x4DBF) ||    // CJK extension A
         (cp >= 0x4E00 && cp <= 0x9FFF) ||    // CJK unified ideographs
         (cp >= 0xF900 && cp <= 0xFAFF) ||    // CJK compatibility ideographs
         (cp >= 0xFF66 && cp <= 0xFF9D) ||    // half-width katakana (without NFKC)
         (cp >= 0x1B000 && cp <= 0x1B16F) ||  // kana supplement and extended
         (cp >= 0x20000 && cp <= 0x323AF);    // CJK extensions B to H, compatibility supplement
}

// Han ideographs (unified, extensions, compatibility), what the step "hans" reads as simplified.
constexpr bool is_han(char32_t cp) {
  return (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x323AF);
}

// Code points that NFKC and case folding leave as they are when nothing is attached to them:
// Han ideographs, kana without the voiced marks, Hangul syllables. Chinese, Japanese and Korean
// text is mostly these; mapping them with utf8proc took most of its normalization time.
constexpr bool maps_to_itself(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0x3041 && cp <= 0x3096) || (cp >= 0x30A1 && cp <= 0x30FA) ||
         (cp >= 0xAC00 && cp <= 0xD7A3);
}

CharClass classify(char32_t cp) {
  if (cp < 128) return kAsciiClass[cp];
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
    case UTF8PROC_CATEGORY_CC:
      return CharClass::kSpace;
    case UTF8PROC_CATEGORY_CF:
      return CharClass::kIgnore;  // format characters: soft hyphen, zero-width joiner, BOM
    case UTF8PROC_CATEGORY_PC:
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
    case UTF8PROC_CATEGORY_SM:
    case UTF8PROC_CATEGORY_SC:
    case UTF8PROC_CATEGORY_SK:
    case UTF8PROC_CATEGORY_SO:
      return CharClass::kPunct;
    default:
      return CharClass::kWord;  // letters, marks, numbers, private use, unassigned
  }
}

// Code points that attach to the one before them, so that NFKC may compose them with it:
// combining marks and the vowel and final jamo of conjoining Hangul.
bool attaches_to_previous(char32_t cp) {
  if (cp >= 0x1160 && cp <= 0x11FF) return true;
  if ((cp >= 0x3131 && cp <= 0x318E) || (cp >= 0xFFA0 && cp <= 0xFFDC) || cp == 0xFF9E ||
      cp == 0xFF9F) {
    return true;  // compatibility jamo and half-width sound marks: NFKC makes them attach
  }
  const auto* prop = utf8proc_get_property(static_cast<utf8proc_int32_t>(cp));
  return prop->ignorable || prop->combining_class != 0 || prop->category == UTF8PROC_CATEGORY_MN ||
         prop->category == UTF8PROC_CATEGORY_MC || prop->category == UTF8PROC_CATEGORY_ME;
}

// The hash of a word of at most 16 bytes from its first 8 (lo) and next 8 bytes (hi), with
// whatever follows the word in them.
[[gnu::always_inline]] inline std::uint64_t hash_short_word(std::uint64_t lo, std::uint64_t hi,
                                                            std::size_t len) {
  const std::uint64_t keep_lo = len >= 8 ? ~0ULL : (1ULL << (8 * len)) - 1;
  const std::uint64_t keep_hi = len >= 16 ? ~0ULL : len <= 8 ? 0 : (1ULL << (8 * (len - 8))) - 1;
  lo &= keep_lo;
  hi &= keep_hi;
  // Distinct (lo, hi, len) give distinct pre-images except with probability ~2^-64.
  return mix64(lo ^ ((hi + len) * 0x9e3779b97f4a7c15ULL));
}

// token_hash() of the `len` bytes at p, reading 16 bytes there: the caller guarantees they are
// readable. Bytes past `len` are masked off, so what follows the word does not matter.
[[gnu::always_inline]] inline std::uint64_t hash_word_at(const char* p, std::size_t len) {
  if (len > 16) return XXH3_64bits(p, len);
  std::uint64_t lo, hi;
  std::memcpy(&lo, p, 8);
  std::memcpy(&hi, p + 8, 8);
  return hash_short_word(lo, hi, len);
}

static_assert(std::is_same_v<utf8proc_int32_t, std::int32_t>,
              "NormalizedText::scratch holds utf8proc code points");

class Normalizer {
 public:
  Normalizer(const NormalizeOptions& options, NormalizedText& out)
      : opt_(options),
        out_(out),
        kind_(kByteKinds[options.fold_punctuation].data()),
        fold_(kByteFolds[options.case_fold].data()),
        simd_(DOPPEL_SIMD_DEFAULT && options.fold_punctuation),  // kernels: letters and digits
        mapped_(out.scratch) {
    if (mapped_.size() < 64) mapped_.resize(64);
    out_.tokens.clear();
    out_.hashes.clear();
  }

  void run(std::string_view in) {
    // Output is written through a cursor into a buffer sized up front; ASCII never grows.
    out_.text.resize(in.size() + 64);
    pos_ = 0;
    if (simd_ && opt_.fold_whitespace) {
      run_default(in);
    } else {
      run_general(in, 0, false);
    }
    end_token();
    out_.text.resize(pos_);
  }

 private:
  static constexpr std::uint8_t kWordByte = 0, kSeparatorByte = 1;  // else: non-ASCII

  // The default mode (punctuation and whitespace folded): a tight loop over pure-ASCII words.
  // A word that touches a non-ASCII byte is handed, from its first byte, to run_general(), which
  // returns after the next ASCII separator.
  void run_default(std::string_view in) {
    const auto* s = reinterpret_cast<const unsigned char*>(in.data());
    const std::size_t n = in.size();
    std::size_t i = 0;
    std::size_t blocks_from = 0;  // where block_words() may make progress again
    for (;;) {
      if (i >= blocks_from) i = block_words(s, i, n, blocks_from);
      i = skip_separators_simd(s, i, n);
      while (i < n && kind_[s[i]] == kSeparatorByte) ++i;
      if (i >= n) return;
      const std::size_t start = i;
      const std::size_t before_space = pos_;
      reserve(n - i + 17);  // the space, the word, and 16 bytes the kernel may write past it
      if (pos_ > 0) out_.text[pos_++] = ' ';
      char* dst = out_.text.data() + pos_;
      i = copy_word_run_simd(s, i, n, dst);
      for (dst += i - start; i < n && kind_[s[i]] == kWordByte; ++i) *dst++ = fold_[s[i]];
      if (i < n && s[i] >= 0x80) {
        pos_ = before_space;
        pending_space_ = before_space > 0;
        if (pos_ == cjk_end_) {
          // Right after a CJK word: whether the separators skipped since hold punctuation.
          pending_punctuation_ = false;
          for (std::size_t k = start; k > 0 && kind_[s[k - 1]] == kSeparatorByte; --k) {
            pending_punctuation_ |= kAsciiClass[s[k - 1]] == CharClass::kPunct;
          }
        }
        i = run_general(in, start, true);
        continue;
      }
      const auto begin = static_cast<std::uint32_t>(pos_);
      pos_ += i - start;
      push_token(begin, static_cast<std::uint32_t>(pos_), static_cast<std::uint32_t>(start),
                 static_cast<std::uint32_t>(i));
    }
  }

  // The general state machine, from `i`; with `one_word`, returns just after the first ASCII
  // separator that ends a word (the loop of run_default() takes over there).
  std::size_t run_general(std::string_view in, std::size_t i, bool one_word) {
    const auto* s = reinterpret_cast<const unsigned char*>(in.data());
    const std::size_t n = in.size();
    while (i < n) {
      const std::uint8_t kind = kind_[s[i]];
      if (kind == kWordByte) {
        // A run of ASCII word characters, case-folded by table.
        if (in_cjk_token_) end_token();  // a word of its own after a CJK letter
        open_token(static_cast<std::uint32_t>(i));
        reserve(n - i + 16);
        char* dst = out_.text.data() + pos_;
        const std::size_t from = i;
        i = simd_ ? copy_word_run_simd(s, i, n, dst) : i;
        for (dst += i - from; i < n && kind_[s[i]] == kWordByte; ++i) *dst++ = fold_[s[i]];
        pos_ += i - from;
        token_src_end_ = static_cast<std::uint32_t>(i);
        last_ascii_word_end_ = i;
      } else if (kind == kSeparatorByte) {
        const bool ends_word = in_token_;
        separator(kAsciiClass[s[i]], in.substr(i, 1));
        ++i;
        if (one_word && ends_word) return i;
        if (opt_.fold_whitespace) {  // one separator is as good as many
          for (; i < n && kind_[s[i]] == kSeparatorByte; ++i) {
            pending_punctuation_ |= kAsciiClass[s[i]] == CharClass::kPunct;
          }
        }
      } else {
        i = cluster(in, i);
      }
    }
    return i;
  }

  // The SSE2 kernels below handle the default word definition (ASCII letters and digits); they
  // return how far they got, and the scalar loops after them finish the last partial block.
#if DOPPEL_SSE2
  // Bytes of v in [lo, lo + count): one add moves the range to the bottom of the signed bytes,
  // one compare tests it.
  static __m128i in_range(__m128i v, char lo, int count) {
    const __m128i shifted = _mm_add_epi8(v, _mm_set1_epi8(static_cast<char>(-128 - lo)));
    return _mm_cmplt_epi8(shifted, _mm_set1_epi8(static_cast<char>(-128 + count)));
  }
  // 0xff in the bytes of v that are ASCII letters or digits.
  static __m128i word_bytes(__m128i v) {
    return _mm_or_si128(in_range(_mm_or_si128(v, _mm_set1_epi8(0x20)), 'a', 26),
                        in_range(v, '0', 10));
  }
  // v with its ASCII capitals in lower case when case folding is on.
  __m128i fold_ascii(__m128i v) const {
    return opt_.case_fold
               ? _mm_add_epi8(v, _mm_and_si128(in_range(v, 'A', 26), _mm_set1_epi8(0x20)))
               : v;
  }
  // Copies ASCII letters and digits from s[i] on, case-folded, 16 at a time; stops before the
  // first other byte or where fewer than 16 bytes remain. May write up to 16 bytes past the run.
  std::size_t copy_word_run_simd(const unsigned char* s, std::size_t i, std::size_t n,
                                 char* dst) const {
    const std::size_t from = i;
    while (i + 16 <= n) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
      const auto word = static_cast<unsigned>(_mm_movemask_epi8(word_bytes(v)));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + (i - from)), fold_ascii(v));
      if (word == 0xffffu) {
        i += 16;
        continue;
      }
      return i + static_cast<std::size_t>(__builtin_ctz(~word));
    }
    return i;
  }
  // The words of 64 bytes at a time, from i (not inside a word) while 80 bytes remain: a word
  // mask and a non-ASCII mask of the block, then each word that ends inside it, before its first
  // non-ASCII byte and not next to it, case-folded in a register, stored with a space before it
  // and hashed from that register (read back from memory just after the store, its second half
  // waited for the store: `perf annotate` put about a fifth of normalization's cycles there). The
  // block after starts at the first word not taken. Returns where it stopped; when that is a word
  // it cannot take (one of 64 bytes or more, or one touching a non-ASCII byte), `retry_at` is set
  // past it, so that the caller's loop takes that word and the block is not scanned again.
  std::size_t block_words(const unsigned char* s, std::size_t i, std::size_t n,
                          std::size_t& retry_at) {
    while (i + 64 + 16 <= n) {  // a word's 16-byte load may start at the block's last byte
      if (s[i] >= 0x80) {       // a non-ASCII word (most words of some scripts): no block to scan
        retry_at = i + 1;
        return i;
      }
      std::uint64_t word = 0, high = 0;
      for (std::size_t k = 0; k < 4; ++k) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i + 16 * k));
        const auto w =
            static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(word_bytes(v))));
        const auto h = static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(v)));
        word |= w << (16 * k);
        high |= h << (16 * k);
      }
      // The block ends at its first non-ASCII byte; a word running to its end is not taken.
      const int length = high != 0 ? std::countr_zero(high) : 64;
      if (length < 64) word &= (std::uint64_t{1} << length) - 1;
      std::uint64_t starts = word & ~(word << 1);
      std::uint64_t ends = word & ~(word >> 1);
      int stop = length;  // where the next block starts
      if (length > 0 && (word >> (length - 1) & 1) != 0) {
        stop = 63 - std::countl_zero(starts);  // the last word's start
        starts &= ~(std::uint64_t{1} << stop);
        ends &= ~(std::uint64_t{1} << (length - 1));
      }
      reserve(2 * 64 + 16);  // each word and its space (fewer bytes than the block), 16 past
      while (starts != 0) {
        const int first = std::countr_zero(starts);
        const int last = std::countr_zero(ends);
        starts &= starts - 1;
        ends &= ends - 1;
        if (pos_ > 0) out_.text[pos_++] = ' ';
        char* dst = out_.text.data() + pos_;
        const std::size_t len =
            static_cast<std::size_t>(last) - static_cast<std::size_t>(first) + 1;
        const unsigned char* src = s + i + static_cast<std::size_t>(first);
        const __m128i head = fold_ascii(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src)));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), head);
        std::uint64_t hash;
        if (len <= 16) {
          const auto lo = static_cast<std::uint64_t>(_mm_cvtsi128_si64(head));
          const auto hi =
              static_cast<std::uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(head, head)));
          hash = hash_short_word(lo, hi, len);
        } else {
          for (std::size_t k = 16; k < len; k += 16) {
            const __m128i v =
                fold_ascii(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + k)));
            _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + k), v);
          }
          hash = XXH3_64bits(dst, len);
        }
        const auto begin = static_cast<std::uint32_t>(pos_);
        pos_ += len;
        add_token(Token{begin, static_cast<std::uint32_t>(pos_),
                        static_cast<std::uint32_t>(i + static_cast<std::size_t>(first)),
                        static_cast<std::uint32_t>(i + static_cast<std::size_t>(last) + 1)},
                  hash);
      }
      if (stop == 0) {  // nothing taken: the caller's loop takes the word here
        retry_at = i + static_cast<std::size_t>(length) + 1;
        return i;
      }
      i += static_cast<std::size_t>(stop);
      if (length < 64 && stop == length) {  // stopped at a non-ASCII byte
        retry_at = i + 1;
        return i;
      }
    }
    return i;
  }

  // Skips ASCII bytes that are neither letters nor digits, 16 at a time.
  static std::size_t skip_separators_simd(const unsigned char* s, std::size_t i, std::size_t n) {
    while (i + 16 <= n) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
      const __m128i keep =
          _mm_or_si128(word_bytes(v), _mm_cmplt_epi8(v, _mm_setzero_si128()));  // non-ASCII
      const auto stop = static_cast<unsigned>(_mm_movemask_epi8(keep));
      if (stop != 0) return i + static_cast<std::size_t>(__builtin_ctz(stop));
      i += 16;
    }
    return i;
  }
#else
  std::size_t copy_word_run_simd(const unsigned char*, std::size_t i, std::size_t, char*) const {
    return i;
  }
  static std::size_t skip_separators_simd(const unsigned char*, std::size_t i, std::size_t) {
    return i;
  }
  static std::size_t block_words(const unsigned char*, std::size_t i, std::size_t n,
                                 std::size_t& retry_at) {
    retry_at = n;
    return i;
  }
#endif

  void reserve(std::size_t more) {
    if (pos_ + more > out_.text.size()) [[unlikely]]
      grow(more);
  }
  [[gnu::noinline, gnu::cold]] void grow(std::size_t more) {
    out_.text.resize(std::max(pos_ + more, out_.text.size() * 2));
  }
  void put(const char* p, std::size_t len) {
    reserve(len);
    std::memcpy(out_.text.data() + pos_, p, len);
    pos_ += len;
  }

  // U+200B under zero_width_space_breaks: a space, not an ignorable that attaches to the code
  // point before it.
  bool breaks_words(char32_t cp) const {
    return cp == kZeroWidthSpace && opt_.zero_width_space_breaks;
  }
  bool attaches(char32_t cp) const { return !breaks_words(cp) && attaches_to_previous(cp); }

  // A word ends before `at`, a letter of a run of Thai, Lao, Khmer or Myanmar, where ICU's
  // dictionaries put a break between words (the run is segmented when its first letter comes).
  void dictionary_break_before(std::string_view in, std::size_t at) {
    if (at >= dictionary_run_end_) {
      std::size_t end = at;
      while (end < in.size()) {
        char32_t cp = 0;
        const int n = decode_utf8(in, end, cp);
        if (!is_dictionary_script(cp)) break;
        end += static_cast<std::size_t>(n);
      }
      dictionary_run_end_ = end;
      next_break_ = 0;
      if (!out_.word_breaker) out_.word_breaker = std::make_shared<WordBreaker>();
      out_.word_breaker->segment(in, at, end);
    }
    const std::vector<std::size_t>& breaks = out_.word_breaker->breaks;
    while (next_break_ < breaks.size() && breaks[next_break_] < at) ++next_break_;
    if (next_break_ < breaks.size() && breaks[next_break_] == at) {
      end_token();  // no space: the canonical text stays as it was
      ++next_break_;
    }
  }

  // A non-ASCII code point and the marks attached to it, mapped as one unit.
  std::size_t cluster(std::string_view in, std::size_t i) {
    std::size_t start = i;
    char32_t cp;
    std::size_t end = i + decode_utf8(in, i, cp);
    if (opt_.dictionary_words && is_dictionary_script(cp)) dictionary_break_before(in, start);
    if (breaks_words(cp)) {  // a space, which NFKC would remove
      emit_code_point(cp, in.substr(start, end - start), static_cast<std::uint32_t>(start),
                      static_cast<std::uint32_t>(end));
      return end;
    }
    // An ASCII letter just emitted may compose with the marks that follow ("e" + U+0301 -> "é"):
    // take it back and map it with them. The token stays open even if this empties it;
    // end_token() drops empty tokens.
    std::size_t unit_begin = start;
    bool skip_first = false;
    if (in_token_ && last_ascii_word_end_ == start && attaches(cp)) {
      start -= 1;
      pos_ -= 1;
      unit_begin = start;
    } else if (opt_.nfkc && start > 0 && static_cast<unsigned char>(in[start - 1]) < 0x80 &&
               kind_[static_cast<unsigned char>(in[start - 1])] == kSeparatorByte && attaches(cp)) {
      // "=" + U+0338 is "≠": map the separator with the marks, then drop what it became (a
      // separator again, already emitted).
      unit_begin = start - 1;
      skip_first = true;
    }
    while (end < in.size() && static_cast<unsigned char>(in[end]) >= 0x80) {
      char32_t next;
      const int len = decode_utf8(in, end, next);
      if (!attaches(next)) break;
      end += len;
    }
    const std::string_view unit = in.substr(unit_begin, end - unit_begin);
    const auto src_begin = static_cast<std::uint32_t>(start);
    const auto src_end = static_cast<std::uint32_t>(end);
    // Nothing to map: no mapping asked for, or a code point that maps to itself with nothing
    // attached to it.
    if ((!opt_.nfkc && !opt_.case_fold) ||
        (unit_begin == start && end - start == 3 && maps_to_itself(cp))) {
      for (std::size_t k = 0; k < unit.size();) {
        char32_t u;
        const int len = decode_utf8(unit, k, u);
        emit_code_point(u, unit.substr(k, static_cast<std::size_t>(len)), src_begin, src_end);
        k += static_cast<std::size_t>(len);
      }
      return end;
    }
    int options = UTF8PROC_STABLE;
    if (opt_.nfkc) options |= UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_IGNORE;
    if (opt_.case_fold) options |= UTF8PROC_CASEFOLD;
    const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(unit.data());
    auto len = utf8proc_decompose(bytes, static_cast<utf8proc_ssize_t>(unit.size()), mapped_.data(),
                                  static_cast<utf8proc_ssize_t>(mapped_.size()),
                                  static_cast<utf8proc_option_t>(options));
    if (len > static_cast<utf8proc_ssize_t>(mapped_.size())) {
      mapped_.resize(static_cast<std::size_t>(len));
      len = utf8proc_decompose(bytes, static_cast<utf8proc_ssize_t>(unit.size()), mapped_.data(),
                               len, static_cast<utf8proc_option_t>(options));
    }
    if (len < 0) len = 0;  // cannot happen on validated UTF-8
    if (opt_.nfkc) {
      len = utf8proc_normalize_utf32(mapped_.data(), len, static_cast<utf8proc_option_t>(options));
      if (len < 0) len = 0;
    }
    for (utf8proc_ssize_t k = skip_first ? 1 : 0; k < len; ++k) {
      char buf[4];
      const auto u = static_cast<char32_t>(mapped_[static_cast<std::size_t>(k)]);
      const int blen = encode_utf8(u, buf);
      emit_code_point(u, std::string_view(buf, static_cast<std::size_t>(blen)), src_begin, src_end);
    }
    return end;
  }

  void emit_code_point(char32_t cp, std::string_view bytes, std::uint32_t src_begin,
                       std::uint32_t src_end) {
    char simplified[4];
    if (opt_.han_simplified && is_han(cp)) {
      if (!out_.han_simplifier) out_.han_simplifier = std::make_shared<HanSimplifier>();
      const char32_t to = out_.han_simplifier->simplified(cp);
      if (to != cp) {
        cp = to;
        bytes = std::string_view(simplified, static_cast<std::size_t>(encode_utf8(cp, simplified)));
      }
    }
    const CharClass cls = breaks_words(cp) ? CharClass::kSpace : classify(cp);
    if (cls == CharClass::kIgnore) return;
    if (cls == CharClass::kWord || (cls == CharClass::kPunct && !opt_.fold_punctuation)) {
      if (opt_.cjk_characters_are_words && cp >= 0x300) {
        // A CJK letter is a word of its own, with what the marks attached to it became, and
        // with no space put before or after it.
        const bool cjk = cls == CharClass::kWord && is_cjk_letter(cp);
        // What the code points attached to the letter became (marks, a half-width sound mark
        // without NFKC, jamo, the "ι" that case folding makes of U+0345) stays in its word, so
        // that words' spans do not overlap.
        const bool attached = in_cjk_token_ && !cjk && src_begin == token_src_begin_;
        if (cjk || (in_cjk_token_ && !attached)) end_token();
        // Whitespace alone between two CJK letters is a line wrapped or a letter spaced out, not
        // a break between words (there is none to mark): it leaves no space.
        if (cjk && pending_space_ && !pending_punctuation_ && pos_ == cjk_end_) {
          pending_space_ = false;
        }
        in_cjk_token_ = cjk || attached;
      } else if (in_cjk_token_) {
        end_token();  // an ASCII letter or digit after a CJK letter
      }
      open_token(src_begin);
      put(bytes.data(), bytes.size());
      token_src_end_ = src_end;
      last_ascii_word_end_ = 0;
    } else {
      separator(cls, bytes);
    }
  }

  void open_token(std::uint32_t src_begin) {
    if (in_token_) return;
    if (pending_space_ && opt_.fold_whitespace && pos_ > 0) {
      reserve(1);
      out_.text[pos_++] = ' ';
    }
    pending_space_ = false;
    pending_punctuation_ = false;
    in_token_ = true;
    token_begin_ = static_cast<std::uint32_t>(pos_);
    token_src_begin_ = src_begin;
  }

  void separator(CharClass cls, std::string_view bytes) {
    end_token();
    last_ascii_word_end_ = 0;
    if (opt_.fold_whitespace) {
      pending_space_ = true;
      pending_punctuation_ |= cls == CharClass::kPunct;
    } else if (cls == CharClass::kPunct) {
      put(" ", 1);
    } else {
      put(bytes.data(), bytes.size());
    }
  }

  void end_token() {
    const bool cjk = in_cjk_token_;
    in_cjk_token_ = false;
    if (!in_token_) return;
    in_token_ = false;
    const auto end = static_cast<std::uint32_t>(pos_);
    if (end > token_begin_) push_token(token_begin_, end, token_src_begin_, token_src_end_);
    if (cjk) cjk_end_ = pos_;
  }

  void push_token(std::uint32_t begin, std::uint32_t end, std::uint32_t src_begin,
                  std::uint32_t src_end) {
    reserve(16);  // hash_word_at reads 16 bytes from the word's start
    add_token(Token{begin, end, src_begin, src_end},
              hash_word_at(out_.text.data() + begin, end - begin));
  }
  // A word whose hash is known.
  void add_token(const Token& token, std::uint64_t hash) {
    out_.tokens.push_back(token);
    out_.hashes.push_back(hash);
  }

  const NormalizeOptions& opt_;
  NormalizedText& out_;
  const std::uint8_t* kind_;  // kByteKinds for the options
  const char* fold_;          // kByteFolds for the options
  bool simd_;
  std::size_t pos_ = 0;                    // bytes of out_.text written
  std::vector<utf8proc_int32_t>& mapped_;  // out_.scratch
  bool in_token_ = false;
  bool in_cjk_token_ = false;  // the open token is a CJK letter (and marks after it)
  bool pending_space_ = false;
  bool pending_punctuation_ = false;  // of the separators since the last word, one is punctuation
  std::size_t cjk_end_ = std::string::npos;  // pos_ where the last CJK word ended
  std::uint32_t token_begin_ = 0, token_src_begin_ = 0, token_src_end_ = 0;
  std::size_t last_ascii_word_end_ = 0;  // source end of the ASCII letters emitted last, or 0
  std::size_t dictionary_run_end_ = 0;   // input end of the run dictionary_break_before() cut
  std::size_t next_break_ = 0;           // in out_.word_breaker->breaks
};

}  // namespace

std::uint64_t token_hash(std::string_view word) {
  char buf[16] = {};
  if (word.size() > 16) return hash_word_at(word.data(), word.size());
  std::memcpy(buf, word.data(), word.size());
  return hash_word_at(buf, word.size());
}

void normalize(std::string_view input, const NormalizeOptions& options, NormalizedText& out) {
  Normalizer(options, out).run(input);
}

}  // namespace doppel
