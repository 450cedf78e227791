// A driver for fuzz targets in builds without libFuzzer (gcc, CTest): runs
// every file of the seed corpus, then a bounded number of deterministic
// mutations of them (byte flips, truncations, splices, random bytes). It
// finds less than libFuzzer but runs everywhere, so every CI run feeds the
// decoders hostile input.
//
//   usage: <target>_replay CORPUS_DIR [ITERATIONS] [SEED]

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void RunOne(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

std::string Mutate(const std::vector<std::string>& corpus, std::mt19937_64& rng) {
  std::string s = corpus[rng() % corpus.size()];
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits; ++e) {
    switch (rng() % 6) {
      case 0:  // Flip one bit.
        if (!s.empty()) s[rng() % s.size()] ^= static_cast<char>(1u << (rng() % 8));
        break;
      case 1:  // Set one byte.
        if (!s.empty()) s[rng() % s.size()] = static_cast<char>(rng());
        break;
      case 2:  // Truncate.
        if (!s.empty()) s.resize(rng() % s.size());
        break;
      case 3:  // Splice with another input.
        s += corpus[rng() % corpus.size()];
        break;
      case 4:  // Insert random bytes.
        s.insert(s.empty() ? 0 : rng() % s.size(),
                 std::string(1 + rng() % 8, static_cast<char>(rng())));
        break;
      case 5:  // Duplicate a slice.
        if (s.size() > 2) {
          const size_t at = rng() % s.size();
          s.insert(at, s.substr(at, rng() % (s.size() - at)));
        }
        break;
    }
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: " << argv[0] << " CORPUS_DIR [ITERATIONS] [SEED]\n";
    return 2;
  }
  const long iterations = argc > 2 ? std::atol(argv[2]) : 20000;
  const unsigned long seed = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 1;
  std::vector<std::string> corpus;
  for (const auto& entry : std::filesystem::directory_iterator(argv[1])) {
    std::ifstream in(entry.path(), std::ios::binary);
    corpus.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (corpus.empty()) {
    std::cerr << "empty corpus in " << argv[1] << "\n";
    return 2;
  }
  for (const std::string& input : corpus) RunOne(input);
  std::mt19937_64 rng(seed);
  for (long i = 0; i < iterations; ++i) RunOne(Mutate(corpus, rng));
  std::cout << corpus.size() << " seeds and " << iterations << " mutations ran without a crash\n";
  return 0;
}
