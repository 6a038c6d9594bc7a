// Which rank reads what: the inputs are expanded once (on rank 0), and the run's files are dealt
// out to the ranks as contiguous shares of about equal bytes, in input order, so that each rank's
// documents follow the previous rank's and global document numbers are an exclusive sum of the
// ranks' counts. A large uncompressed JSON Lines file is cut into byte ranges at line boundaries
// (input/batch_reader.h, FileRange); a compressed file, a text file and standard input are read
// whole by one rank (a zstd or gzip stream cannot be entered in the middle), standard input by
// rank 0, which is the rank mpirun gives it to. Pure functions, except plan_inputs (an Env).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "doppel/options.h"
#include "doppel/status.h"
#include "input/batch_reader.h"
#include "input/input_files.h"

namespace doppel::dist {

// No range is cut shorter than this: below it, a rank's share of a file costs more in opening and
// seeking than it saves.
inline constexpr std::uint64_t kMinRange = 64u << 10;

struct InputPlan {
  std::vector<InputFile> files;               // every file of the run
  std::vector<std::vector<FileRange>> ranks;  // per rank: its ranges, in input order
  // Ranges that do not start at a file's start need the file's lines before them: each rank
  // counts the lines of its cut ranges, ranks exchange the counts (dist_read.cc).
};

// Splits `files` among `ranks`: rank r's share starts where byte r/ranks of all input (sizes on
// disk) falls, moved to the start or end of a file that cannot be cut (splittable[i] == 0), or
// within kMinRange of one, and past standard input, which rank 0 reads.
std::vector<std::vector<FileRange>> split_among_ranks(std::span<const InputFile> files,
                                                      std::span<const std::uint8_t> splittable,
                                                      int ranks);

// Expands the inputs and splits them (split_among_ranks): a file can be cut when it is
// uncompressed JSON Lines, larger than two ranges, and its head does not get it rejected whole
// (rejected_whole()). Reads the first kBinarySniff bytes of each such file.
Result<InputPlan> plan_inputs(std::span<const std::string> inputs, const ReadOptions& read,
                              int ranks);

// The plan as bytes, for rank 0 to broadcast, and back.
std::string encode_plan(const InputPlan& plan);
Result<InputPlan> decode_plan(std::string_view bytes);

}  // namespace doppel::dist
