package io.jpilot.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.config.ConfigKey;
import io.jpilot.push.PushRequest.Reason;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PushQueueTest {
  private final PushQueue<String> queue = new PushQueue<>();

  private static PushRequest req(boolean full, String key, Reason reason, long start) {
    return new PushRequest(
        full, Set.of(new ConfigKey("Service", "ns", key)), Set.of(reason), start);
  }

  @Test
  void oneEntryPerConnectionMerged() throws Exception {
    queue.enqueue("a", req(false, "x", Reason.ENDPOINT, 20));
    queue.enqueue("a", req(true, "y", Reason.CONFIG, 10));
    assertThat(queue.pending()).isEqualTo(1);
    PushQueue.Item<String> item = queue.dequeue();
    assertThat(item.connection()).isEqualTo("a");
    assertThat(item.request().full()).isTrue();
    assertThat(item.request().changed()).extracting(ConfigKey::name).containsExactly("x", "y");
    assertThat(item.request().reasons()).containsExactly(Reason.CONFIG, Reason.ENDPOINT);
    assertThat(item.request().startNanos()).isEqualTo(10);
    assertThat(queue.pending()).isZero();
  }

  @Test
  void firstInFirstOutAndMergingKeepsThePlace() throws Exception {
    queue.enqueue("a", req(true, "1", Reason.CONFIG, 0));
    queue.enqueue("b", req(true, "1", Reason.CONFIG, 0));
    queue.enqueue("c", req(true, "1", Reason.CONFIG, 0));
    queue.enqueue("a", req(true, "2", Reason.CONFIG, 0));
    assertThat(queue.dequeue().connection()).isEqualTo("a");
    assertThat(queue.dequeue().connection()).isEqualTo("b");
    assertThat(queue.dequeue().connection()).isEqualTo("c");
  }

  @Test
  void aRequestArrivingDuringThePushIsRequeuedByMarkDone() throws Exception {
    queue.enqueue("a", req(true, "1", Reason.CONFIG, 0));
    queue.enqueue("b", req(true, "1", Reason.CONFIG, 0));
    PushQueue.Item<String> a = queue.dequeue();
    queue.enqueue("a", req(false, "2", Reason.ENDPOINT, 5));
    queue.enqueue("a", req(false, "3", Reason.ENDPOINT, 6));
    assertThat(queue.pending()).isEqualTo(1); // only b: a is being pushed
    assertThat(queue.dequeue().connection()).isEqualTo("b");
    queue.markDone(a.connection());
    assertThat(queue.pending()).isEqualTo(1);
    PushQueue.Item<String> again = queue.dequeue();
    assertThat(again.connection()).isEqualTo("a");
    assertThat(again.request().full()).isFalse();
    assertThat(again.request().changed()).extracting(ConfigKey::name).containsExactly("2", "3");
  }

  @Test
  void markDoneWithoutANewRequestDoesNotRequeue() throws Exception {
    queue.enqueue("a", req(true, "1", Reason.CONFIG, 0));
    queue.markDone(queue.dequeue().connection());
    assertThat(queue.pending()).isZero();
    queue.enqueue("a", req(true, "2", Reason.CONFIG, 0));
    assertThat(queue.dequeue().request().changed())
        .extracting(ConfigKey::name)
        .containsExactly("2");
  }

  @Test
  void dequeueBlocksUntilSomethingArrives() throws Exception {
    CompletableFuture<PushQueue.Item<String>> taken =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return queue.dequeue();
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    queue.enqueue("late", req(true, "1", Reason.CONFIG, 0));
    assertThat(taken.get(10, TimeUnit.SECONDS).connection()).isEqualTo("late");
  }

  @Test
  void shutDownWakesWaitersAndDropsLaterRequests() throws Exception {
    CompletableFuture<PushQueue.Item<String>> taken =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return queue.dequeue();
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    queue.shutDown();
    assertThat(taken.get(10, TimeUnit.SECONDS)).isNull();
    queue.enqueue("a", req(true, "1", Reason.CONFIG, 0));
    assertThat(queue.pending()).isZero();
    assertThat(queue.dequeue()).isNull();
  }
}
