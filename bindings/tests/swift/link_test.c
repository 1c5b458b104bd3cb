/* Compiles against the generated C header and links against libshikaku_ffi: calls the
 * contract-version function and one checksum through the real symbols. */
#include <stdint.h>
#include <stdio.h>
#include "shikaku_ffiFFI.h"

int main(void) {
    uint32_t version = ffi_shikaku_ffi_uniffi_contract_version();
    uint16_t checksum = uniffi_shikaku_ffi_checksum_func_validate_member();
    printf("contract version %u, validate_member checksum %u\n", (unsigned)version, (unsigned)checksum);
    return version == 0 ? 1 : 0;
}
