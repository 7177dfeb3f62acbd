/* plan-dump FILE: prints a serialized plan as the launcher reads it, one line per op, for the
 * C# tests (PlanReaderTests). It includes launcher.c itself, so the checks and readers it uses
 * (exec_op, list_count, fill_list) are the launcher's own, not a second implementation. */
#include "launcher.c"

#include <stdio.h>

static const char *text(const uint8_t *plan, uint32_t off)
{
    return off ? (const char *)(plan + off) : "-";
}

static void list(const char *name, const uint8_t *plan, uint32_t off)
{
    uint32_t n = list_count(plan, off);
    char **items = calloc(n + 1, sizeof(char *));
    fill_list(items, plan, off);
    printf(" %s=[", name);
    for (uint32_t i = 0; i < n; i++)
        printf("%s%s", i ? "|" : "", items[i]);
    printf("]");
    free(items);
}

int main(int argc, char **argv)
{
    static uint8_t buf[1 << 20] __attribute__((aligned(8)));
    FILE *f = argc == 2 ? fopen(argv[1], "rb") : NULL;
    size_t length = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (!f || !exec_op(buf, (uint32_t)length)) {
        puts("invalid plan");
        return 1;
    }
    const struct runf_plan_header *h = (const void *)buf;
    const struct runf_op *ops = (const void *)(buf + h->ops_offset);
    printf("plan version=%u flags=%u ops=%u\n", h->version, h->flags, h->op_count);
    for (uint32_t i = 0; i < h->op_count; i++) {
        const struct runf_op *op = &ops[i];
        printf("%u kind=%u flags=%u", i, op->kind, op->flags);
        if (op->kind == RUNF_OP_EXEC) {
            list("argv", buf, op->s[0]);
            list("envp", buf, op->s[1]);
            list("paths", buf, op->s[2]);
        } else if (op->kind == RUNF_OP_SECCOMP) {
            printf(" filter@%u%%8=%u len=%llu", op->s[0], op->s[0] % 8, (unsigned long long)op->n[0]);
        } else if (op->kind == RUNF_OP_LANDLOCK) {
            printf(" net=%llu scoped=%llu ports=[", (unsigned long long)op->n[0], (unsigned long long)op->n[1]);
            for (uint64_t p = 0; p < op->n[2]; p++)
                printf("%s%u", p ? "|" : "", buf[op->s[0] + 2 * p] | buf[op->s[0] + 2 * p + 1] << 8);
            printf("]");
        } else if (op->kind == RUNF_OP_IDENTITY) {
            uint32_t count, gid;
            memcpy(&count, buf + op->s[0], 4);
            printf(" uid=%llu gid=%llu groups@%u%%4=%u [", (unsigned long long)op->n[0], (unsigned long long)op->n[1], op->s[0], op->s[0] % 4);
            for (uint32_t g = 0; g < count; g++) {
                memcpy(&gid, buf + op->s[0] + 4 + 4 * g, 4);
                printf("%s%u", g ? "|" : "", gid);
            }
            printf("]");
        } else if (op->kind == RUNF_OP_CAP_SETS) {
            uint64_t sets[5];
            memcpy(sets, buf + op->s[0], sizeof sets);
            printf(" sets@%u%%8=%u [%llx|%llx|%llx|%llx|%llx] last=%llu", op->s[0], op->s[0] % 8, (unsigned long long)sets[0],
                   (unsigned long long)sets[1], (unsigned long long)sets[2], (unsigned long long)sets[3],
                   (unsigned long long)sets[4], (unsigned long long)op->n[0]);
        } else {
            printf(" s=[%s|%s|%s|%s] n=[%llu|%llu|%llu]", text(buf, op->s[0]), text(buf, op->s[1]), text(buf, op->s[2]),
                   text(buf, op->s[3]), (unsigned long long)op->n[0], (unsigned long long)op->n[1], (unsigned long long)op->n[2]);
        }
        printf("\n");
    }
    return 0;
}
