/* bcryptprimitives.dll with ProcessPrng, for the Wine prefix that builds and tests the Windows program; never
 * shipped in the bundle.
 *
 * Why: cryptography's Rust extension (_rust.pyd, through Rust's standard library) imports ProcessPrng from
 * bcryptprimitives.dll, Windows 10's process-wide random generator; Wine 8.0 has no such DLL, so the extension
 * does not load. This one fills the buffer from the system generator Wine does have (BCryptGenRandom with the
 * system-preferred RNG): real randomness, not a stand-in. Like Windows' ProcessPrng it never returns FALSE; if
 * the system generator fails it ends the process rather than hand out a buffer that is not random.
 */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size) {
    while (size > 0) {
        ULONG chunk = size > 0x10000000 ? 0x10000000 : (ULONG)size;
        if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
            ExitProcess(0xC000000D); /* STATUS_INVALID_PARAMETER: never return non-random bytes */
        data += chunk;
        size -= chunk;
    }
    return TRUE;
}
