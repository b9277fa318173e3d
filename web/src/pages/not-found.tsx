export function NotFoundPage() {
  return (
    <section class="page">
      <h1>Not found</h1>
      <p>
        There is no page here. <a href="/">Back to Today</a>.
      </p>
    </section>
  );
}
