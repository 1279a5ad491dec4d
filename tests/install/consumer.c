/* A program built against an installed Rapport: opens a database, adds a customer, reads it back. */
#include <rapport.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  rapport_db *db = NULL;
  rapport_error *err = NULL;
  rapport_customer *c = NULL;
  int ok;
  if (rapport_db_open(":memory:", NULL, &db, &err) != RAPPORT_OK) {
    fprintf(stderr, "open: %s\n", rapport_error_message(err));
    rapport_error_free(err);
    return 1;
  }
  if (rapport_customer_create_json(db, "{\"fields\": {\"name\": \"阿里巴巴网络技术有限公司\"}}", &c, &err) != RAPPORT_OK) {
    fprintf(stderr, "create: %s\n", rapport_error_message(err));
    rapport_error_free(err);
    rapport_db_close(db);
    return 1;
  }
  ok = strcmp(rapport_customer_name(c), "阿里巴巴网络技术有限公司") == 0;
  printf("rapport %s: customer %lld %s\n", rapport_version(), (long long)rapport_customer_id(c), ok ? "ok" : "WRONG");
  rapport_customer_free(c);
  rapport_db_close(db);
  return ok ? 0 : 1;
}
