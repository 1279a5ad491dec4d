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
}
