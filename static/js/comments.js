// Threaded replies: "Reply" moves the form under its comment, "Cancel reply" puts it back.
// Without JavaScript the same links work as ?replytocom= page loads.
(function () {
  "use strict";

  function init() {
    var respond = document.getElementById("respond");
    var summary = document.getElementById("form-errors");
    if (summary) {
      summary.focus();
    }
    if (!respond) {
      return;
    }
    var home = document.createElement("div");
    home.id = "respond-home";
    home.hidden = true;
    respond.parentNode.insertBefore(home, respond);

    var title = document.getElementById("reply-title");
    var titleText = title.querySelector(".reply-title-text");
    var cancel = document.getElementById("cancel-comment-reply-link");
    var parent = document.getElementById("id_parent");
    var body = document.getElementById("id_body");

    function moveTo(comment, commentId, author) {
      comment.querySelector(".comment-body").after(respond);
      parent.value = commentId;
      // The name in its own <bdi>, so a right-to-left override in it cannot reorder the title.
      var parts = title.dataset.leaveReplyTo.split("%s");
      var name = document.createElement("bdi");
      name.textContent = author;
      titleText.replaceChildren(parts[0], name, parts.slice(1).join("%s"));
      cancel.hidden = false;
      body.focus();
    }

    function restore() {
      home.after(respond);
      parent.value = "";
      titleText.textContent = title.dataset.leaveReply;
      cancel.hidden = true;
    }

    document.addEventListener("click", function (event) {
      var link = event.target.closest(".comment-reply-link");
      if (link) {
        event.preventDefault();
        moveTo(link.closest(".comment"), link.dataset.commentId, link.dataset.author);
      } else if (event.target.closest("#cancel-comment-reply-link")) {
        event.preventDefault();
        restore();
        body.focus();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
