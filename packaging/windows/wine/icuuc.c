/* icuuc.dll for the Wine prefix that builds and tests the Windows program; never shipped in the bundle.
 *
 * Why: Qt6Core.dll (PySide6 wheels) imports ICU's converter API (ucnv_*) from Windows' own icuuc.dll, which
 * Windows 10 1903 and later have and Wine 8.0 does not, so Qt (and PyInstaller's Qt hooks) cannot load there.
 * Qt uses these functions only for legacy 8-bit codecs (QStringConverter by name); UTF-8/16/32 and Latin-1 are
 * its own code. This DLL says "no such converter" (ucnv_open fails, no converter is listed), which is an answer
 * real ICU gives for an unknown name, so Qt keeps to its built-in codecs. Built by packaging/wine.py with
 * Debian's x86_64-w64-mingw32-gcc and copied into the prefix's system32.
 */
#include <stddef.h>
#include <stdint.h>

typedef int UErrorCode;
typedef uint16_t UChar;
typedef struct UConverter UConverter;
#define U_FILE_ACCESS_ERROR 4 /* ICU's code for "the converter's data cannot be found" */
#define U_UNSUPPORTED_ERROR 16
#define EXPORT __declspec(dllexport)

static int failed(UErrorCode *err) { return err == NULL || *err > 0; }
static void unsupported(UErrorCode *err) { if (!failed(err)) *err = U_UNSUPPORTED_ERROR; }

EXPORT UConverter *ucnv_open(const char *name, UErrorCode *err) {
    (void)name;
    if (!failed(err)) *err = U_FILE_ACCESS_ERROR;
    return NULL;
}
EXPORT void ucnv_close(UConverter *cnv) { (void)cnv; }
EXPORT void ucnv_reset(UConverter *cnv) { (void)cnv; }
EXPORT int32_t ucnv_countAvailable(void) { return 0; }
EXPORT const char *ucnv_getAvailableName(int32_t n) { (void)n; return NULL; }
EXPORT const char *ucnv_getStandardName(const char *name, const char *standard, UErrorCode *err) {
    (void)name; (void)standard; unsupported(err); return NULL;
}
EXPORT const char *ucnv_getName(const UConverter *cnv, UErrorCode *err) { (void)cnv; unsupported(err); return NULL; }
EXPORT int8_t ucnv_getMaxCharSize(const UConverter *cnv) { (void)cnv; return 1; }
EXPORT void ucnv_getToUCallBack(const UConverter *cnv, void **action, const void **context) {
    (void)cnv; if (action) *action = NULL; if (context) *context = NULL;
}
EXPORT void ucnv_getFromUCallBack(const UConverter *cnv, void **action, const void **context) {
    (void)cnv; if (action) *action = NULL; if (context) *context = NULL;
}
EXPORT void ucnv_setToUCallBack(UConverter *cnv, void *action, const void *context, void **old_action,
                                const void **old_context, UErrorCode *err) {
    (void)cnv; (void)action; (void)context; (void)old_action; (void)old_context; unsupported(err);
}
EXPORT void ucnv_setFromUCallBack(UConverter *cnv, void *action, const void *context, void **old_action,
                                  const void **old_context, UErrorCode *err) {
    (void)cnv; (void)action; (void)context; (void)old_action; (void)old_context; unsupported(err);
}
EXPORT void ucnv_toUnicode(UConverter *cnv, UChar **target, const UChar *target_limit, const char **source,
                           const char *source_limit, int32_t *offsets, int8_t flush, UErrorCode *err) {
    (void)cnv; (void)target; (void)target_limit; (void)source; (void)source_limit; (void)offsets; (void)flush;
    unsupported(err);
}
EXPORT void ucnv_fromUnicode(UConverter *cnv, char **target, const char *target_limit, const UChar **source,
                             const UChar *source_limit, int32_t *offsets, int8_t flush, UErrorCode *err) {
    (void)cnv; (void)target; (void)target_limit; (void)source; (void)source_limit; (void)offsets; (void)flush;
    unsupported(err);
}
EXPORT int32_t ucnv_toUCountPending(const UConverter *cnv, UErrorCode *err) { (void)cnv; unsupported(err); return 0; }
EXPORT int32_t ucnv_fromUCountPending(const UConverter *cnv, UErrorCode *err) { (void)cnv; unsupported(err); return 0; }
EXPORT void ucnv_cbToUWriteUChars(void *args, const UChar *source, int32_t length, int32_t offset, UErrorCode *err) {
    (void)args; (void)source; (void)length; (void)offset; unsupported(err);
}
EXPORT void ucnv_cbFromUWriteUChars(void *args, const UChar **source, const UChar *source_limit, int32_t offset,
                                    UErrorCode *err) {
    (void)args; (void)source; (void)source_limit; (void)offset; unsupported(err);
}
/* The standard "substitute" callbacks: Qt passes their addresses to ucnv_set*CallBack; never reached here. */
EXPORT void UCNV_TO_U_CALLBACK_SUBSTITUTE(const void *context, void *args, const char *units, int32_t length,
                                          int reason, UErrorCode *err) {
    (void)context; (void)args; (void)units; (void)length; (void)reason; unsupported(err);
}
EXPORT void UCNV_FROM_U_CALLBACK_SUBSTITUTE(const void *context, void *args, const UChar *units, int32_t length,
                                            int32_t code_point, int reason, UErrorCode *err) {
    (void)context; (void)args; (void)units; (void)length; (void)code_point; (void)reason; unsupported(err);
}
