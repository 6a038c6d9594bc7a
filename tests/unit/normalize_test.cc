#include "text/normalize.h"

#include <gtest/gtest.h>

namespace doppel {
namespace {

TEST(Normalize, FoldsCaseAndPunctuation) {
  NormalizedText out;
  normalize("Hello,  World! Don't", NormalizeOptions{}, out);
  EXPECT_EQ(out.text, "hello world don t");
}

}  // namespace
}  // namespace doppel
