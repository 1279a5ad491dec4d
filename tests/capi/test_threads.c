/* A rapport_db shared by several threads: concurrent writes and reads through one handle. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>

#include "test_util.h"

#define THREADS 4
#define PER_THREAD 25

struct worker {
  rapport_db *db;
  int index;
  int failures;
};

static void *work(void *arg) {
  struct worker *w = (struct worker *)arg;
  int i;
  for (i = 0; i < PER_THREAD; ++i) {
    char json[128];
    rapport_customer *c = NULL;
    rapport_customer_list *list = NULL;
    rapport_error *err = NULL;
    snprintf(json, sizeof json, "{\"name\":\"Thread %d customer %d\",\"tags\":[\"t%d\"]}", w->index, i, w->index);
    if (rapport_customer_create_json(w->db, json, &c, &err) != RAPPORT_OK) {
      fprintf(stderr, "thread %d: %s\n", w->index, rapport_error_message(err));
      rapport_error_free(err);
      err = NULL;
      w->failures++;
    }
    rapport_customer_free(c);
    if (rapport_customer_search(w->db, NULL, &list, &err) != RAPPORT_OK) {
      fprintf(stderr, "thread %d: %s\n", w->index, rapport_error_message(err));
      rapport_error_free(err);
      w->failures++;
    }
    rapport_customer_list_free(list);
  }
  return NULL;
}

struct txn_probe {
  rapport_db *db;
  rapport_code commit_code;
  rapport_code begin_code;
};

/* Another thread may neither commit this handle's transaction nor open a second one on it. */
static void *probe(void *arg) {
  struct txn_probe *p = (struct txn_probe *)arg;
  rapport_error *err = NULL;
  p->commit_code = rapport_db_commit(p->db, &err);
  rapport_error_free(err);
  err = NULL;
  p->begin_code = rapport_db_begin(p->db, &err);
  rapport_error_free(err);
  return NULL;
}

static void test_transaction_owner(void) {
  rapport_db *db = open_memory(0);
  pthread_t t;
  struct txn_probe p;
  p.db = db;
  p.commit_code = RAPPORT_OK;
  p.begin_code = RAPPORT_OK;
  EXPECT_OK(rapport_db_begin(db, &err));
  create_customer(db, "{\"name\":\"In transaction\"}");
  CHECK(pthread_create(&t, NULL, probe, &p) == 0);
  pthread_join(t, NULL);
  CHECK(p.commit_code == RAPPORT_FAILED_PRECONDITION);
  CHECK(p.begin_code == RAPPORT_FAILED_PRECONDITION);
  EXPECT_OK(rapport_db_commit(db, &err));
  CHECK(customer_count(db) == 1);
  rapport_db_close(db);
}

void test_threads(void) {
  char path[1024];
  rapport_db *db = NULL;
  pthread_t threads[THREADS];
  struct worker workers[THREADS];
  int i, started = 0;
  int64_t seq0;

  temp_path(path, sizeof path, "threads.rapport");
  EXPECT_OK(rapport_db_open(path, NULL, &db, &err));
  if (db == NULL) return;
  seq0 = last_seq(db);
  for (i = 0; i < THREADS; ++i) {
    workers[i].db = db;
    workers[i].index = i;
    workers[i].failures = 0;
    if (pthread_create(&threads[i], NULL, work, &workers[i]) == 0) started++;
  }
  CHECK(started == THREADS);
  for (i = 0; i < started; ++i) pthread_join(threads[i], NULL);
  for (i = 0; i < started; ++i) CHECK(workers[i].failures == 0);
  CHECK(customer_count(db) == (size_t)(THREADS * PER_THREAD));
  CHECK(last_seq(db) >= seq0 + THREADS * PER_THREAD);
  rapport_db_close(db);
  test_transaction_owner();
}
