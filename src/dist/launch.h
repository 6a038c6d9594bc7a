// Whether this process is one rank of an MPI job, decided without MPI: the doppel binary, which
// does not load MPI, asks it to hand such runs to doppel-index (tools/doppel/commands.h).
#pragma once

#include <cstdlib>

namespace doppel::dist {

// Whether a launcher started this process as one rank of an MPI job: Open MPI's mpirun
// (OMPI_COMM_WORLD_SIZE), a PMIx launcher such as srun --mpi=pmix (PMIX_RANK) or a PMI one
// (PMI_SIZE). Without one, doppel runs as one process and never initializes MPI.
inline bool launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

}  // namespace doppel::dist
