#include "util/huge_pages.h"

#include <cstdlib>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace doppel {
namespace {
constexpr std::size_t kHugePage = std::size_t{2} << 20;
}  // namespace

void* allocate_huge(std::size_t bytes) {
  // aligned_alloc wants a multiple of the alignment.
  const std::size_t size = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* p = std::aligned_alloc(kHugePage, size);
  if (p == nullptr) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  // Advice only: where huge pages are off or unavailable, the memory is ordinary.
  (void)madvise(p, size, MADV_HUGEPAGE);
#endif
  return p;
}

void release_huge(void* p) noexcept { std::free(p); }

}  // namespace doppel
