"""The article of the original WordPress page, so `migrate` on an empty database gives the full page."""

import datetime

from django.db import migrations

from articles.seed import SLUG, TITLE

BODY = """\
<p>Growing older means that our skin loses its elasticity and eventually begins to droop or sag. Over the past several years, there has been a surge of interest in facial exercises. The idea is that, by “working” the muscles throughout your face, your skin becomes tighter and in due course, fine lines and wrinkles disappear. Giving your facial muscles a good exercise goes beyond merely making funny faces; it can include donning a mask that sends electric currents into the muscles to stimulate contractions.</p>
<p>Do facial exercises truly work? Are they really a viable solution to the drooping skin that comes with age? In a word, no. Today, we’re going to take a closer look at facial exercises and the reasons why they’re not effective.</p>
<h2>Why Your Skin Sags With Age</h2>
<p>The main reason why your skin begins to lose its tight appearance as you grow older is because of the breakdown of collagen fibers and loss of elastin. While it is normal for this to happen as we age, the deterioration can be accelerated by excessive exposure to the sun. Along with that, the layer of fat that rests underneath the dermis begins to diminish as years pass. At the same time, fine lines and wrinkles are made more prominent by repetitive frowns, smiles, and other movements. It is important to understand how these things happen in order to appreciate why facial exercises do not work.</p>
<h2>How Facial Exercises Are Supposed To Work</h2>
<p>Enthusiasts claim that performing facial exercises develops the muscles throughout the face, revitalizing the skin and pulling it taut. In doing so, lines and wrinkles disappear, giving the skin a younger, tighter, and more supple appearance. In truth, the skin does not work that way. Exercising the facial muscles will not build collagen fibers, nor will it create elastin or replace the lost layer of fat. Also, keep in mind that Botox, which is a proven solution to giving the skin a smoother look, works by inhibiting the very muscles that facial exercises stimulate.</p>
<h2>Proven Skin Care Solutions</h2>
<p>The natural breakdown of collagen fibers and the loss of elastin that comes with age is made significantly worse by sun damage. Making funny faces to stimulate the facial muscles will not help rebuild the collagen or elastin under your dermis. The most effective way to protect your skin from premature aging is to use a well formulated broad spectrum sunscreen and formulations designed to improve your skin’s elasticity while stimulating collagen production. Here are 3 solutions to consider:</p>
<p><strong>Anthelios Sunscreens</strong> – formulated with Mexoryl XL and Mexoryl SX plus other effective sun filtering agents, Anthelios offers photostable broad spectrum protection from UVA and UVB rays.</p>
<p><strong>La Roche Posay Active C XL</strong> – Vitamin C is an active ingredient that helps to stimulate collagen production in this anti-UVA formulation that counteracts wrinkles.</p>
<p><strong>Neostrata Wrinkle Repair</strong> – A skin care solution that stimulates the production of collagen, and helps reduce wrinkles and fine lines.</p>
"""


def create_article(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Article.objects.update_or_create(
        slug=SLUG,
        defaults={
            "title": TITLE,
            "body": BODY,
            "published_at": datetime.datetime(2014, 3, 10, 9, 0, tzinfo=datetime.UTC),
            "comments_open": True,
        },
    )


def remove_article(apps, schema_editor):
    apps.get_model("articles", "Article").objects.filter(slug=SLUG).delete()


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]
    operations = [migrations.RunPython(create_article, remove_article)]
